-- Grain: one row per comment (no text is exported), of members who have not withdrawn.
-- Parameters: none.
CREATE TABLE comments AS
SELECT c.question_id, p.member_key, CAST(utc_ts(c.posted_at) AS DATE) AS posted_on
FROM raw_comments AS c
JOIN pseudonyms AS p USING (member_id)
JOIN members AS m ON m.member_key = p.member_key
ORDER BY c.question_id
