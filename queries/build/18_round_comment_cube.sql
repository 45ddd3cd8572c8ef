-- Rollup. Grain: one row per prioritization round: comments posted (on any
-- question) while it was open, and the distinct members who posted them. A
-- closed round's row is kept as published by later releases (warehouse/release.py).
-- Parameters: none.
CREATE TABLE round_comment_cube AS
SELECT r.round_id, count(c.member_key) AS comments,
       count(DISTINCT c.member_key) AS commenters
FROM rounds AS r
LEFT JOIN comments AS c ON c.posted_on BETWEEN r.opens_on AND r.closes_on
GROUP BY r.round_id
ORDER BY r.round_id
