-- Rows: one per voter-profile cell of one round (members who cast any vote),
-- split only by the dimensions flagged $by_<dim>.
-- Grain: the flagged dimensions. Raw counts, protected in dashboard/insights.
-- Parameters: $round, $by_role, $by_ms_type, $by_ms_course, $by_age_band,
--   $by_duration_band, $by_sex, $by_country.
SELECT
    CASE WHEN $by_role THEN c.role END AS role,
    CASE WHEN $by_ms_type THEN c.ms_type END AS ms_type,
    CASE WHEN $by_ms_course THEN c.ms_course END AS ms_course,
    CASE WHEN $by_age_band THEN c.age_band END AS age_band,
    CASE WHEN $by_duration_band THEN c.duration_band END AS duration_band,
    CASE WHEN $by_sex THEN c.sex END AS sex,
    CASE WHEN $by_country THEN c.country END AS country,
    sum(c.voters) AS voters
FROM voter_cube AS c
WHERE c.round_id = $round
GROUP BY ALL
