-- Rows: one per research question: its status, its title, the day it reached each step
-- of the five (asked, discussed, prioritized, studied), where the data has one, and the
-- first study that took it up (the links from each step to what is behind it).
-- Counts of questions, not of people: nothing here needs disclosure control.
-- Grain: question_id.
-- Parameters: none.
WITH first_comment AS (
    SELECT question_id, min(posted_on) AS discussed_on
    FROM comments
    GROUP BY question_id
),
first_round AS (
    SELECT c.question_id, min(r.closes_on) AS prioritized_on
    FROM vote_cube AS c
    JOIN rounds AS r USING (round_id)
    GROUP BY c.question_id
),
study AS (
    SELECT q.question_id, min(p.started_on) AS studied_on,
           arg_min(p.project_id, p.started_on) AS project_id
    FROM questions AS q
    JOIN projects AS p
      ON p.project_id = q.project_id OR p.origin_question_id = q.question_id
    GROUP BY q.question_id
)
SELECT q.question_id, q.title, q.status, q.submitted_on, f.discussed_on, r.prioritized_on,
       s.studied_on, s.project_id
FROM questions AS q
LEFT JOIN first_comment AS f USING (question_id)
LEFT JOIN first_round AS r USING (question_id)
LEFT JOIN study AS s USING (question_id)
ORDER BY q.question_id
