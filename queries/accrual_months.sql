-- Rows: one per project and month: members who first reached 'enrolled' that month.
-- Grain: project_id x month.
-- Parameters: $project (NULL for every project).
SELECT project_id, month, enrolled
FROM accrual
WHERE ($project IS NULL OR project_id = $project)
ORDER BY project_id, month
