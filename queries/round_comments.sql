-- Rows: one per prioritization round: comments posted (on any question) while
-- it was open, and the members who posted them.
-- Grain: round_id. Raw counts, protected in dashboard/insights/participation.py.
-- Parameters: none.
SELECT r.round_id, count(c.member_key) AS comments,
       count(DISTINCT c.member_key) AS commenters
FROM rounds AS r
LEFT JOIN comments AS c ON c.posted_on BETWEEN r.opens_on AND r.closes_on
GROUP BY r.round_id
ORDER BY r.round_id
