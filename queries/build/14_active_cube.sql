-- Rollup. Grain: one row per calendar month and role: members with any
-- participation event in that month.
-- Parameters: none.
CREATE TABLE active_cube AS
SELECT
    CAST(date_trunc('month', a.occurred_on) AS DATE) AS month,
    m.role,
    count(DISTINCT a.member_key) AS active
FROM activity AS a
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY month
