-- Grain: one row per member, day and kind of participation event.
-- Not sorted: the active and retention cubes (and the pandas baseline) group it.
-- Parameters: none.
CREATE TABLE activity AS
SELECT DISTINCT p.member_key, CAST(a.occurred_on AS DATE) AS occurred_on, a.kind
FROM raw_activity AS a
JOIN pseudonyms AS p USING (member_id)
JOIN members AS m ON m.member_key = p.member_key
