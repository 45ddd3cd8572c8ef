-- Rows: one per project and stage: members who reached the stage or a later
-- one (withdrawn: members who withdrew). Stages nest by construction.
-- Grain: project_id x stage.
-- Parameters: $project (NULL for every project).
SELECT f.project_id, f.stage, f.step, f.members
FROM funnel AS f
WHERE ($project IS NULL OR f.project_id = $project)
ORDER BY f.project_id, f.step
