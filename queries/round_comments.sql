-- Rows: one per prioritization round: comments posted (on any question) while
-- it was open, and the members who posted them.
-- Grain: round_id. Raw counts, protected in dashboard/insights/participation.py.
-- Parameters: none.
SELECT round_id, comments, commenters
FROM round_comment_cube
ORDER BY round_id
