-- Rollup. Grain: one row per project and month: members who first reached
-- 'enrolled' in that month.
-- Parameters: none.
CREATE TABLE accrual AS
SELECT project_id, CAST(date_trunc('month', occurred_on) AS DATE) AS month,
       count(*) AS enrolled
FROM enrollments
WHERE stage = 'enrolled'
GROUP BY ALL
ORDER BY project_id, month
