-- Rollup. Grain: one row per round, question and voter profile (role, ms_type,
-- ms_course, age_band, duration_band, sex, country). Every priority score is a
-- sum over these rows, so an interaction never scans the votes table.
-- voters: members who picked, ranked or rated the question; points: Borda
-- points (rank 1 earns max_choices); value_sum / value_sq_sum: for means and
-- variances of ratings; top2: ratings of 4 or 5; bottom2: ratings of 1 or 2;
-- top1: ratings of 5; bottom1: ratings of 1 (with top2, bottom2 and voters they give
-- the count of every rating value, for the median and quartiles). Each method's class in
-- dashboard/insights/vote_methods.py names the measures it reads (cube_measures);
-- a new method adds its measure here.
-- Votes are counted per member profile number first (a group-by on three small keys,
-- not nine text columns) and the profile's columns joined on after: half the work at 1M.
-- Parameters: none.
CREATE TABLE vote_cube AS
WITH member_profiles AS (
    SELECT member_key,
           dense_rank() OVER (ORDER BY role, ms_type, ms_course, age_band, duration_band,
                                       sex, country) AS profile
    FROM members
),
profiles AS (
    SELECT DISTINCT
        dense_rank() OVER (ORDER BY role, ms_type, ms_course, age_band, duration_band,
                                    sex, country) AS profile,
        role, ms_type, ms_course, age_band, duration_band, sex, country
    FROM members
),
counted AS (
    SELECT
        v.round_id,
        v.question_id,
        p.profile,
        count(*) AS voters,
        sum(CASE WHEN r.method = 'rank' THEN r.max_choices + 1 - v.value ELSE 0 END) AS points,
        sum(v.value) AS value_sum,
        sum(v.value * v.value) AS value_sq_sum,
        count(*) FILTER (WHERE r.method = 'rate' AND v.value >= 4) AS top2,
        count(*) FILTER (WHERE r.method = 'rate' AND v.value <= 2) AS bottom2,
        count(*) FILTER (WHERE r.method = 'rate' AND v.value = 5) AS top1,
        count(*) FILTER (WHERE r.method = 'rate' AND v.value = 1) AS bottom1
    FROM votes AS v
    JOIN member_profiles AS p USING (member_key)
    JOIN rounds AS r USING (round_id)
    GROUP BY ALL
)
SELECT
    c.round_id,
    c.question_id,
    d.role, d.ms_type, d.ms_course, d.age_band, d.duration_band, d.sex, d.country,
    c.voters, c.points, c.value_sum, c.value_sq_sum, c.top2, c.bottom2, c.top1, c.bottom1
FROM counted AS c
JOIN profiles AS d USING (profile)
ORDER BY c.round_id, c.question_id
