-- Rows: one per research project with its status, kind, dates, target and
-- the member question it grew from. Projects are not people: no suppression.
-- Grain: project_id.
-- Parameters: none.
SELECT
    p.project_id, p.title, p.kind, p.status, p.partner_type, p.started_on, p.closes_on,
    p.target_enrollment, p.origin_question_id, q.title AS origin_question_title, p.results_url
FROM projects AS p
LEFT JOIN questions AS q ON q.question_id = p.origin_question_id
ORDER BY p.project_id
