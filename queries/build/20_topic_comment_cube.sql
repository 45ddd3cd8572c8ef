-- Rollup. Grain: one row per topic and month: members whose first comment on any of the
-- topic's questions was in that month (they add up over months to the topic's distinct
-- commenters). Monthly, kept by later releases like comment_cube (release.py).
-- Parameters: none.
CREATE TABLE topic_comment_cube AS
WITH firsts AS (
    SELECT q.topic, c.member_key, CAST(date_trunc('month', min(c.posted_on)) AS DATE) AS month
    FROM comments AS c
    JOIN questions AS q USING (question_id)
    GROUP BY q.topic, c.member_key
)
SELECT topic, month, CAST(count(*) AS BIGINT) AS commenters
FROM firsts
GROUP BY ALL
ORDER BY topic, month
