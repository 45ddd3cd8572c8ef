-- Rollup. Grain: one row per round and voter profile; voters = members who
-- cast at least one vote in the round (the denominator of every share).
-- Parameters: none.
CREATE TABLE voter_cube AS
SELECT
    v.round_id,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    count(DISTINCT v.member_key) AS voters
FROM votes AS v
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY v.round_id
