-- Rows: one: members who had reached 'enrolled' in any study before $cutoff
-- and by now (distinct people), and the enrollments (member x study) behind them.
-- Grain: the whole network. Raw counts, protected in dashboard/insights/headlines.py.
-- Parameters: $cutoff (DATE).
SELECT
    count(DISTINCT member_key) AS members_now,
    count(DISTINCT member_key) FILTER (WHERE occurred_on < CAST($cutoff AS DATE)) AS members_then,
    count(*) AS enrollments_now,
    count(*) FILTER (WHERE occurred_on < CAST($cutoff AS DATE)) AS enrollments_then
FROM enrollments
WHERE stage = 'enrolled'
