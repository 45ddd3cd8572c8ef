-- Grain: one row per event of the export's optional events.csv (a newsletter, a
-- campaign, a webinar): what the time-series charts mark beside the rounds. Staff-written
-- labels about the network, never about people (validation refuses person columns);
-- empty when the export has no events.csv. end_date is NULL for a one-day event.
-- Parameters: none.
CREATE TABLE events AS
SELECT
    CAST(event_date AS DATE) AS event_date,
    CAST(end_date AS DATE) AS end_date,
    label,
    kind
FROM raw_events
ORDER BY event_date, kind, label
