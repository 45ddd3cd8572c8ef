-- Grain: one row per export file: rows in the export and rows kept (after
-- withdrawals and duplicate votes). Filled from the TEMP table source_counts.
-- Parameters: none.
CREATE TABLE build_sources AS SELECT * FROM source_counts ORDER BY file
