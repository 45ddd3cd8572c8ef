-- Rows: one per question and voter-profile cell of one round, split only by
-- the dimensions flagged $by_<dim> (the filters in use plus any comparison).
-- Grain: question_id x the flagged dimensions. Raw counts: disclosure control
-- is applied in dashboard/insights before any number is served.
-- Parameters: $round, $topic, $by_role, $by_ms_type, $by_ms_course,
--   $by_age_band, $by_duration_band, $by_sex, $by_country.
SELECT
    c.question_id,
    CASE WHEN $by_role THEN c.role END AS role,
    CASE WHEN $by_ms_type THEN c.ms_type END AS ms_type,
    CASE WHEN $by_ms_course THEN c.ms_course END AS ms_course,
    CASE WHEN $by_age_band THEN c.age_band END AS age_band,
    CASE WHEN $by_duration_band THEN c.duration_band END AS duration_band,
    CASE WHEN $by_sex THEN c.sex END AS sex,
    CASE WHEN $by_country THEN c.country END AS country,
    sum(c.voters) AS voters,
    sum(c.points) AS points,
    sum(c.value_sum) AS value_sum,
    sum(c.value_sq_sum) AS value_sq_sum,
    sum(c.top2) AS top2,
    sum(c.bottom2) AS bottom2,
    sum(c.top1) AS top1,
    sum(c.bottom1) AS bottom1
FROM vote_cube AS c
JOIN questions AS q USING (question_id)
WHERE c.round_id = $round
  AND ($topic IS NULL OR q.topic = $topic)
GROUP BY ALL
