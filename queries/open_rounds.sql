-- Rows: one per prioritization round not closed by the build's as-of date (it closes on
-- that day or later, or has not opened yet), by closing date: named, never counted.
-- Grain: round_id. No counts at all: a round's results are published once it has closed.
-- Parameters: none.
SELECT r.round_id, r.name, r.opens_on, r.closes_on, r.method
FROM rounds AS r
WHERE r.closes_on >= (SELECT as_of FROM build_info)
ORDER BY r.closes_on, r.round_id
