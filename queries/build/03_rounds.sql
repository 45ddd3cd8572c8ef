-- Grain: one row per prioritization round.
-- max_choices only where the method caps the questions a voter chooses
-- (VoteMethod.has_max_choices in dashboard/insights/vote_methods.py).
-- Parameters: none.
CREATE TABLE rounds AS
SELECT
    round_id,
    name,
    CAST(opens_on AS DATE) AS opens_on,
    CAST(closes_on AS DATE) AS closes_on,
    method,
    CASE WHEN method = 'rate' THEN NULL ELSE CAST(max_choices AS INTEGER) END AS max_choices
FROM raw_rounds
ORDER BY opens_on, round_id
