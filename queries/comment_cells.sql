-- Rows: one per question and commenter-profile cell, split only by the
-- flagged dimensions; questions of one topic when $topic is set. Counted to the end of
-- the last complete month before the build's as-of date (months kept by later releases).
-- Grain: question_id x the flagged dimensions.
-- Parameters: $topic, $by_role, $by_ms_type, $by_ms_course, $by_age_band,
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
    sum(c.comments) AS comments,
    sum(c.commenters) AS commenters
FROM comment_cube AS c
JOIN questions AS q USING (question_id)
WHERE ($topic IS NULL OR q.topic = $topic)
  AND c.month < (SELECT CAST(date_trunc('month', as_of) AS DATE) FROM build_info)
GROUP BY ALL
