-- Rows: members with any participation event in the 90 days up to $as_of
-- ("current") and in the 90 days before those ("previous").
-- Grain: period (current, previous). Raw counts, protected in dashboard/insights.
-- Parameters: $as_of (DATE, the snapshot date).
SELECT w.period, count(DISTINCT a.member_key) AS active
FROM activity AS a
JOIN (VALUES ('current', CAST($as_of AS DATE) - 90, CAST($as_of AS DATE)),
             ('previous', CAST($as_of AS DATE) - 180, CAST($as_of AS DATE) - 90))
     AS w(period, after, until)
  ON a.occurred_on > w.after AND a.occurred_on <= w.until
GROUP BY ALL
ORDER BY w.period
