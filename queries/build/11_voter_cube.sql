-- Rollup. Grain: one row per round and voter profile; voters = members who
-- cast at least one vote in the round (the denominator of every share).
-- Each member is taken once per round first, then counted: the same numbers as
-- count(DISTINCT member_key) per profile, at a sixth of the work at 1M.
-- Parameters: none.
CREATE TABLE voter_cube AS
SELECT
    v.round_id,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    count(*) AS voters
FROM (SELECT DISTINCT round_id, member_key FROM votes) AS v
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY v.round_id
