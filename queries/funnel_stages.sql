-- Rows: one per project and stage: members who had reached the stage or a later one
-- by the end of the last complete month (withdrawn: members who had withdrawn by
-- then); the running month is not published until it is over. Stages nest.
-- Grain: project_id x stage.
-- Parameters: $project (NULL for every project).
SELECT p.project_id, s.stage, s.step, coalesce(sum(f.members), 0) AS members
FROM projects AS p
CROSS JOIN (VALUES ('invited', 1), ('screened', 2), ('eligible', 3), ('consented', 4),
                   ('enrolled', 5), ('completed', 6), ('withdrawn', 7)) AS s(stage, step)
LEFT JOIN funnel AS f
    ON f.project_id = p.project_id
   AND f.step = s.step
   AND f.month < (SELECT date_trunc('month', as_of) FROM build_info)
WHERE ($project IS NULL OR p.project_id = $project)
GROUP BY ALL
ORDER BY p.project_id, s.step
