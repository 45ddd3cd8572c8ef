-- Rollup. Grain: one row per question, month and commenter profile: comments posted in
-- the month, and commenters counted in the month of their first comment on the question
-- (so commenters add up over months to the distinct members who commented). Monthly, so
-- a release keeps the complete months an earlier release published (release.py) and the
-- discussion counts, counted to the end of the last complete month, never go down.
-- Parameters: none.
CREATE TABLE comment_cube AS
WITH monthly AS (
    SELECT question_id, member_key, CAST(date_trunc('month', posted_on) AS DATE) AS month,
           count(*) AS comments
    FROM comments
    GROUP BY ALL
),
firsts AS (
    SELECT question_id, member_key, min(month) AS first_month
    FROM monthly
    GROUP BY ALL
)
SELECT
    c.question_id, c.month,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    CAST(sum(c.comments) AS BIGINT) AS comments,
    CAST(count(*) FILTER (WHERE f.first_month = c.month) AS BIGINT) AS commenters
FROM monthly AS c
JOIN firsts AS f USING (question_id, member_key)
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY c.question_id, c.month
