-- Rollup. Grain: one row per project and stage: members who reached the stage
-- or a later one (so stages nest: invited >= screened >= ... >= completed), and
-- for 'withdrawn' the members who withdrew. Nesting by construction keeps the
-- difference of two served stages a count of real people, which disclosure
-- control then treats like any other count.
-- Parameters: none.
CREATE TABLE funnel AS
WITH stage_order(stage, step) AS (
    VALUES ('invited', 1), ('screened', 2), ('eligible', 3), ('consented', 4),
           ('enrolled', 5), ('completed', 6)
),
furthest AS (
    SELECT e.project_id, e.member_key, max(s.step) AS step
    FROM enrollments AS e
    JOIN stage_order AS s USING (stage)
    GROUP BY ALL
)
SELECT p.project_id, s.stage, s.step,
       count(f.member_key) AS members
FROM projects AS p
CROSS JOIN stage_order AS s
LEFT JOIN furthest AS f ON f.project_id = p.project_id AND f.step >= s.step
GROUP BY ALL
UNION ALL
SELECT p.project_id, 'withdrawn', 7, count(DISTINCT e.member_key)
FROM projects AS p
LEFT JOIN enrollments AS e ON e.project_id = p.project_id AND e.stage = 'withdrawn'
GROUP BY ALL
ORDER BY 1, 3
