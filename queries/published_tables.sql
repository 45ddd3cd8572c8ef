-- Rows: every protected table the build published for a k (each round and split).
-- Grain: round_id x dims (one k). body: the table's counts and every disclosure decision
-- taken on them (dashboard/insights/tables.py encodes it); read once per build.
-- Parameters: $k.
SELECT round_id, dims, body
FROM publication
WHERE k = $k
