-- Grain: one row per research project.
-- Parameters: none.
CREATE TABLE projects AS
SELECT
    project_id,
    title,
    kind,
    status,
    partner_type,
    CAST(started_on AS DATE) AS started_on,
    CAST(closes_on AS DATE) AS closes_on,
    CAST(target_enrollment AS INTEGER) AS target_enrollment,
    origin_question_id,
    results_url
FROM raw_projects
ORDER BY project_id
