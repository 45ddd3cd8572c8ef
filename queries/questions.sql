-- Rows: one per research question, with its topic, status and the project it
-- led to (that project's status and results link). Member-written titles are
-- returned as text; the display escapes them.
-- Grain: question_id.
-- Parameters: $topic.
SELECT
    q.question_id, q.title, q.topic, q.status, q.submitted_on,
    coalesce(q.project_id, p2.project_id) AS project_id,
    coalesce(p.title, p2.title) AS project_title,
    coalesce(p.status, p2.status) AS project_status,
    coalesce(p.results_url, p2.results_url) AS results_url
FROM questions AS q
LEFT JOIN projects AS p ON p.project_id = q.project_id
LEFT JOIN projects AS p2 ON p2.origin_question_id = q.question_id AND q.project_id IS NULL
WHERE ($topic IS NULL OR q.topic = $topic)
QUALIFY row_number() OVER (PARTITION BY q.question_id ORDER BY p2.project_id) = 1
ORDER BY q.question_id
