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
-- Parameters: none.
CREATE TABLE vote_cube AS
SELECT
    v.round_id,
    v.question_id,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    count(*) AS voters,
    sum(CASE WHEN r.method = 'rank' THEN r.max_choices + 1 - v.value ELSE 0 END) AS points,
    sum(v.value) AS value_sum,
    sum(v.value * v.value) AS value_sq_sum,
    count(*) FILTER (WHERE r.method = 'rate' AND v.value >= 4) AS top2,
    count(*) FILTER (WHERE r.method = 'rate' AND v.value <= 2) AS bottom2,
    count(*) FILTER (WHERE r.method = 'rate' AND v.value = 5) AS top1,
    count(*) FILTER (WHERE r.method = 'rate' AND v.value = 1) AS bottom1
FROM votes AS v
JOIN members AS m USING (member_key)
JOIN rounds AS r USING (round_id)
GROUP BY ALL
ORDER BY v.round_id, v.question_id
