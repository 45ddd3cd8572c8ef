-- Grain: one row per chart, key and k: the finished results of the charts that do not
-- read priority tables (members, activity, retention, countries, rounds, projects,
-- funnels, accrual, headlines, the five steps), each computed and protected once by the
-- build (dashboard/insights/publication.py) for every value of the filters that change
-- what is protected; other filters select rows of them.
-- Runs after the other steps have committed (it reads the finished rollups).
-- Parameters: none.
CREATE TABLE published_results AS
SELECT
    CAST(chart AS VARCHAR) AS chart,
    CAST(key AS VARCHAR) AS key,
    CAST(k AS INTEGER) AS k,
    CAST(body AS VARCHAR) AS body
FROM published_results_frame
ORDER BY chart, key, k
