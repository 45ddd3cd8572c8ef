-- Build helper: utc_ts(text) turns an ISO 8601 timestamp with an optional
-- fraction and UTC offset (or Z) into a UTC TIMESTAMP, without the ICU extension.
-- Parameters: none.
CREATE OR REPLACE TEMP MACRO utc_ts(s) AS
    CAST(regexp_extract(s, '^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?)', 1) AS TIMESTAMP)
    - CASE
        WHEN regexp_matches(s, '[+-]\d{2}:\d{2}$')
            THEN (CASE WHEN substr(s, -6, 1) = '-' THEN -1 ELSE 1 END)
                * (CAST(substr(s, -5, 2) AS INTEGER) * INTERVAL 1 HOUR
                   + CAST(substr(s, -2, 2) AS INTEGER) * INTERVAL 1 MINUTE)
        ELSE INTERVAL 0 MINUTE
    END
