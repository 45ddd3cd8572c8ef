-- Rows: one per question, voter-profile cell and rank position of one rank round,
-- split only by the dimensions flagged $by_<dim> (as priority_cells).
-- Grain: question_id x the flagged dimensions x position. Raw counts, read only by
-- the build to protect them (dashboard/insights/tables.py); never served.
-- Parameters: $round, $by_role, $by_ms_type, $by_ms_course, $by_age_band,
--   $by_duration_band, $by_sex, $by_country.
SELECT
    c.question_id,
    CASE WHEN $by_role THEN c.role END AS role,
    CASE WHEN $by_ms_type THEN c.ms_type END AS ms_type,
    CASE WHEN $by_ms_course THEN c.ms_course END AS ms_course,
    CASE WHEN $by_age_band THEN c.age_band END AS age_band,
    CASE WHEN $by_duration_band THEN c.duration_band END AS duration_band,
    CASE WHEN $by_sex THEN c.sex END AS sex,
    CASE WHEN $by_country THEN c.country END AS country,
    c.position,
    sum(c.ranked) AS ranked
FROM rank_position_cube AS c
WHERE c.round_id = $round
GROUP BY ALL
