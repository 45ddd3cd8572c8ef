-- Rows: one per topic: distinct members who commented on any of its questions.
-- Grain: topic. Raw counts, protected in dashboard/insights/topics.py.
-- Parameters: none.
SELECT q.topic, count(DISTINCT c.member_key) AS commenters
FROM comments AS c
JOIN questions AS q USING (question_id)
GROUP BY q.topic
ORDER BY q.topic
