-- Grain: one row per research question. Titles are member-written text, stored
-- as-is and escaped wherever they are shown.
-- Parameters: none.
CREATE TABLE questions AS
SELECT
    question_id,
    CAST(submitted_on AS DATE) AS submitted_on,
    submitted_by_role,
    topic,
    title,
    status,
    project_id
FROM raw_questions
ORDER BY question_id
