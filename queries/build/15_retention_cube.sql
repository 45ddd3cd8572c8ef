-- Rollup. Grain: one row per join-cohort quarter, role and quarters since
-- joining: members of the cohort active in that quarter.
-- Parameters: none.
CREATE TABLE retention_cube AS
SELECT
    CAST(date_trunc('quarter', m.joined_month) AS DATE) AS cohort,
    m.role,
    CAST(datediff('quarter', date_trunc('quarter', m.joined_month),
                  date_trunc('quarter', a.occurred_on)) AS INTEGER) AS quarters_since_join,
    count(DISTINCT a.member_key) AS active
FROM activity AS a
JOIN members AS m USING (member_key)
WHERE a.occurred_on >= m.joined_month
GROUP BY ALL
ORDER BY cohort
