-- Grain: one row per round, split (tables.split_key: the axes, or "everyone") and k:
-- every protected priority table any chart can serve, computed and protected once by
-- the build (dashboard/insights/publication.py) from the frame it registers. Requests
-- look these up; they never protect. body format 2: zlib of a JSON header and the raw
-- arrays (dashboard/insights/tables.py encode/decode); a new format is a new schema.
-- A rate round's tables carry the decisions of its raters split as rated 1 or 4 / 2 or
-- 5 / 3 (sum_split) and of the exact mean (sum_value): new masks, so a new schema too.
-- Runs after the other steps have committed (it reads the finished rollups).
-- Parameters: none.
CREATE TABLE publication AS
SELECT
    CAST(round_id AS VARCHAR) AS round_id,
    CAST(dims AS VARCHAR) AS dims,
    CAST(k AS INTEGER) AS k,
    CAST(body AS BLOB) AS body
FROM publication_frame
ORDER BY round_id, dims, k
