-- Rows: one per prioritization round that had closed by the build's as-of date (it
-- closed before that day), oldest first, with whether it has votes. A round still open
-- is left out: nothing counted from its votes is served until it closes (README
-- "Releases: what a rebuild may change"); open_rounds lists it by name and dates.
-- Grain: round_id. No people counts (those go through disclosure control).
-- Parameters: none.
SELECT
    r.round_id, r.name, r.opens_on, r.closes_on, r.method, r.max_choices,
    EXISTS (SELECT 1 FROM voter_cube AS v WHERE v.round_id = r.round_id) AS has_votes
FROM rounds AS r
WHERE r.closes_on < (SELECT as_of FROM build_info)
ORDER BY r.closes_on, r.round_id
