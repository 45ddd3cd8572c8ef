-- Rollup. Grain: one row per month: members whose first 'enrolled' stage in any study
-- was in that month (they add up to the distinct members enrolled), and enrollments
-- (member x study) that reached 'enrolled' in it. Monthly, kept by later releases
-- (release.py), so the overview's "members enrolled in a study", counted to the end of
-- the last complete month, never goes down when someone withdraws.
-- Parameters: none.
CREATE TABLE enrolled_cube AS
WITH enrolled AS (
    SELECT member_key, CAST(date_trunc('month', occurred_on) AS DATE) AS month
    FROM enrollments
    WHERE stage = 'enrolled'
),
counted AS (
    SELECT min(month) AS month, 1 AS members, 0 AS enrollments
    FROM enrolled
    GROUP BY member_key
    UNION ALL
    SELECT month, 0, 1
    FROM enrolled
)
SELECT month, CAST(sum(members) AS BIGINT) AS members,
       CAST(sum(enrollments) AS BIGINT) AS enrollments
FROM counted
GROUP BY month
ORDER BY month
