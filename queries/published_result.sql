-- Rows: the finished, protected result the build published for a chart, a key (the
-- values of the filters that change what is protected, or "none") and a k.
-- Grain: chart x key x k (at most one row). body: the result as JSON
-- (dashboard/insights/publication.py encodes it).
-- Parameters: $chart, $key, $k.
SELECT body
FROM published_results
WHERE chart = $chart
  AND key = $key
  AND k = $k
