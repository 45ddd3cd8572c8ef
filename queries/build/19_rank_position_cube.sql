-- Rollup. Grain: one row per rank round, question, voter profile (role, ms_type,
-- ms_course, age_band, duration_band, sex, country) and rank position (1 = ranked
-- first, up to the round's max_choices): how many ranked the question there. A long
-- table, one row per position in use, so any max_choices fits without a column per
-- position and pick and rate rounds add nothing. Never served: the build protects
-- these counts as one split of the rankers (dashboard/insights/tables.py), and a
-- rank round's Borda points are served only where every position's count is.
-- Parameters: none.
CREATE TABLE rank_position_cube AS
SELECT
    v.round_id,
    v.question_id,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    v.value AS position,
    count(*) AS ranked
FROM votes AS v
JOIN members AS m USING (member_key)
JOIN rounds AS r USING (round_id)
WHERE r.method = 'rank'
GROUP BY ALL
ORDER BY v.round_id, v.question_id, position
