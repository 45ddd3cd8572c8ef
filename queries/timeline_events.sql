-- Rows: one per event a time-series chart marks: each prioritization round (open to
-- close) and each event of the export's optional events.csv, oldest first. Staff-written
-- names and labels about the network; no people, no counts.
-- Grain: one row per round (kind = 'round') or event (kind from events.csv).
-- Parameters: none.
SELECT 'round' AS kind, round_id, name AS label, opens_on AS starts_on, closes_on AS ends_on
FROM rounds
UNION ALL
SELECT kind, NULL AS round_id, label, event_date AS starts_on, end_date AS ends_on
FROM events
ORDER BY starts_on, kind, label
