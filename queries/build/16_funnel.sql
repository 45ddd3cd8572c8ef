-- Rollup. Grain: one row per project, stage and month: members who first reached the
-- stage or a later one in that month (a member counts at every stage up to the
-- furthest they reached, so stages nest at the end of every month: invited >= screened
-- >= ... >= completed), and for 'withdrawn' the members who withdrew that month.
-- Nesting by construction keeps the difference of two served stages a count of real
-- people, which disclosure control then treats like any other count. Monthly, so a
-- release keeps the complete months an earlier release published (release.py).
-- Parameters: none.
CREATE TABLE funnel AS
WITH stage_order(stage, step) AS (
    VALUES ('invited', 1), ('screened', 2), ('eligible', 3), ('consented', 4),
           ('enrolled', 5), ('completed', 6)
),
reached AS (
    SELECT e.project_id, e.member_key, s.step, min(e.occurred_on) AS first_on
    FROM enrollments AS e
    JOIN stage_order AS r ON r.stage = e.stage
    JOIN stage_order AS s ON s.step <= r.step
    GROUP BY ALL
)
SELECT r.project_id, s.stage, r.step, CAST(date_trunc('month', r.first_on) AS DATE) AS month,
       count(*) AS members
FROM reached AS r
JOIN stage_order AS s USING (step)
GROUP BY ALL
UNION ALL
SELECT project_id, 'withdrawn', 7, CAST(date_trunc('month', occurred_on) AS DATE), count(*)
FROM enrollments
WHERE stage = 'withdrawn'
GROUP BY ALL
ORDER BY 1, 3, 4
