-- Rows: one per topic: distinct members who commented on any of its questions by the
-- end of the last complete month before the build's as-of date.
-- Grain: topic. Raw counts, protected in dashboard/insights/topics.py.
-- Parameters: none.
SELECT topic, CAST(sum(commenters) AS BIGINT) AS commenters
FROM topic_comment_cube
WHERE month < (SELECT CAST(date_trunc('month', as_of) AS DATE) FROM build_info)
GROUP BY topic
ORDER BY topic
