-- Grain: one row per member in the export: the platform id and its pseudonym.
-- A TEMP table, never stored in the warehouse file. member_key is HMAC-SHA256 (RFC 2104)
-- of the id's UTF-8 bytes under the build's key, its first 8 bytes read as a signed
-- big-endian integer. The key enters only as its two pads, bound, and DuckDB hashes
-- every id in parallel (Python's loop was 5 s at 1M members).
-- Parameters: $inner_pad (BLOB, the key padded to 64 bytes, XOR 0x36), $outer_pad (BLOB, XOR 0x5c).
CREATE TEMP TABLE pseudonyms AS
WITH digests AS (
    SELECT member_id,
           sha256($outer_pad || unhex(sha256($inner_pad || encode(member_id)))) AS hex
    FROM raw_members
)
SELECT member_id,
       CAST(CAST(CAST('0x' || left(hex, 16) AS UBIGINT) AS HUGEINT)
            - CASE WHEN left(hex, 1) >= '8' THEN CAST(18446744073709551616 AS HUGEINT)
                   ELSE 0 END
            AS BIGINT) AS member_key
FROM digests
