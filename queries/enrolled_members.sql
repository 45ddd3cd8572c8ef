-- Rows: one: members who had reached 'enrolled' in any study by the end of the last
-- complete month before the build's as-of date (distinct people), and the enrollments
-- (member x study) behind them. Complete months only, kept by later releases
-- (enrolled_cube, release.py), so the count never goes down when someone withdraws.
-- Grain: the whole network. Raw counts, protected in dashboard/insights/headlines.py.
-- Parameters: none.
SELECT
    CAST(coalesce(sum(members), 0) AS BIGINT) AS members,
    CAST(coalesce(sum(enrollments), 0) AS BIGINT) AS enrollments
FROM enrolled_cube
WHERE month < (SELECT CAST(date_trunc('month', as_of) AS DATE) FROM build_info)
