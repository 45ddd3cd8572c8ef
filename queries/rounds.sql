-- Rows: one per prioritization round, oldest first, with whether it has votes.
-- Grain: round_id. No people counts (those go through disclosure control).
-- Parameters: none.
SELECT
    r.round_id, r.name, r.opens_on, r.closes_on, r.method, r.max_choices,
    EXISTS (SELECT 1 FROM voter_cube AS v WHERE v.round_id = r.round_id) AS has_votes
FROM rounds AS r
ORDER BY r.closes_on, r.round_id
