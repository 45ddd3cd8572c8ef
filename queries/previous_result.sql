-- Rows: what the release this one follows published for a chart and a k (the discussion
-- counts, the headlines), copied into this warehouse by the build (release.py), with
-- that release's as-of date; none in a first release.
-- Grain: chart x k (at most one row). body: the result as JSON.
-- Parameters: $chart, $k.
SELECT p.body, i.previous_as_of
FROM previous_results AS p, release_info AS i
WHERE p.chart = $chart
  AND p.k = $k
