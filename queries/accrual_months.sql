-- Rows: one per project and complete month: members who first reached 'enrolled'
-- that month (the running month is not published until it is over).
-- Grain: project_id x month.
-- Parameters: $project (NULL for every project).
SELECT project_id, month, enrolled
FROM accrual
WHERE ($project IS NULL OR project_id = $project)
  AND month < (SELECT date_trunc('month', as_of) FROM build_info)
ORDER BY project_id, month
