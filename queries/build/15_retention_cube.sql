-- Rollup. Grain: one row per join-cohort quarter, role and quarters since
-- joining: members of the cohort active in that quarter (on or after the month they
-- joined). Each member is taken once per quarter with their last event in it, then
-- counted: active in a quarter after joining means that last event is not before it.
-- Parameters: none.
CREATE TABLE retention_cube AS
SELECT
    CAST(date_trunc('quarter', m.joined_month) AS DATE) AS cohort,
    m.role,
    CAST(datediff('quarter', date_trunc('quarter', m.joined_month), a.quarter)
         AS INTEGER) AS quarters_since_join,
    count(*) AS active
FROM (
    SELECT member_key, date_trunc('quarter', occurred_on) AS quarter,
           max(occurred_on) AS last_on
    FROM activity
    GROUP BY ALL
) AS a
JOIN members AS m USING (member_key)
WHERE a.last_on >= m.joined_month
GROUP BY ALL
ORDER BY cohort
