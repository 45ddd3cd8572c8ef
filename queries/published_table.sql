-- Rows: the one protected table the build published for a round, a split and a k.
-- Grain: round_id x dims x k (at most one row). body: the table's counts and every
-- disclosure decision taken on them (dashboard/insights/tables.py encodes it).
-- Parameters: $round, $dims, $k.
SELECT body
FROM publication
WHERE round_id = $round
  AND dims = $dims
  AND k = $k
