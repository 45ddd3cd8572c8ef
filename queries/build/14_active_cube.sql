-- Rollup. Grain: one row per calendar month and role: members with any
-- participation event in that month (each member taken once per month, then counted).
-- Parameters: none.
CREATE TABLE active_cube AS
SELECT
    a.month,
    m.role,
    count(*) AS active
FROM (
    SELECT DISTINCT CAST(date_trunc('month', occurred_on) AS DATE) AS month, member_key
    FROM activity
) AS a
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY a.month
