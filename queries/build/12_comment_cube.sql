-- Rollup. Grain: one row per question and commenter profile: comments posted
-- and distinct members who commented.
-- Parameters: none.
CREATE TABLE comment_cube AS
SELECT
    c.question_id,
    m.role, m.ms_type, m.ms_course, m.age_band, m.duration_band, m.sex, m.country,
    count(*) AS comments,
    count(DISTINCT c.member_key) AS commenters
FROM comments AS c
JOIN members AS m USING (member_key)
GROUP BY ALL
ORDER BY c.question_id
