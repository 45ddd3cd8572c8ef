-- Build helper: utc_ts(text) turns an ISO 8601 timestamp with an optional
-- fraction and UTC offset (or Z) into a UTC TIMESTAMP, without the ICU extension.
-- Only for text validation accepted (validate.py: the full pattern, and a valid date
-- and time), so the suffix is found by position, not by a regular expression: an
-- offset is the only way the sixth character from the end is a sign.
-- Parameters: none.
CREATE OR REPLACE TEMP MACRO utc_ts(s) AS
    CASE
        WHEN substr(s, -6, 1) IN ('+', '-')
            THEN CAST(left(s, length(s) - 6) AS TIMESTAMP)
                - (CASE WHEN substr(s, -6, 1) = '-' THEN -1 ELSE 1 END)
                * (CAST(substr(s, -5, 2) AS INTEGER) * INTERVAL 1 HOUR
                   + CAST(substr(s, -2, 2) AS INTEGER) * INTERVAL 1 MINUTE)
        WHEN right(s, 1) = 'Z' THEN CAST(left(s, length(s) - 1) AS TIMESTAMP)
        ELSE CAST(s AS TIMESTAMP)
    END
