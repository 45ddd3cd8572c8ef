-- Grain: one row per member, project and stage reached (first date kept), of
-- members who have not withdrawn consent from the network.
-- Parameters: none.
CREATE TABLE enrollments AS
SELECT e.project_id, p.member_key, e.stage, min(CAST(e.occurred_on AS DATE)) AS occurred_on
FROM raw_enrollments AS e
JOIN pseudonyms AS p USING (member_id)
JOIN members AS m ON m.member_key = p.member_key
GROUP BY ALL
ORDER BY e.project_id
