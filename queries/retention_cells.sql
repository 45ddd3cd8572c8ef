-- Rows: one per join-cohort quarter, role and quarters since joining, with the
-- cohort's size and how many of it were active in that quarter (complete quarters).
-- Grain: cohort x role x quarters_since_join.
-- Parameters: none.
WITH sizes AS (
    SELECT CAST(date_trunc('quarter', joined_month) AS DATE) AS cohort, role,
           sum(members) AS cohort_size
    FROM member_cube
    WHERE joined_month < (SELECT date_trunc('month', as_of) FROM build_info)
    GROUP BY ALL
)
SELECT r.cohort, r.role, r.quarters_since_join, s.cohort_size, r.active
FROM retention_cube AS r
JOIN sizes AS s USING (cohort, role)
WHERE r.cohort + to_months(3 * r.quarters_since_join)
      < (SELECT date_trunc('quarter', as_of) FROM build_info)
ORDER BY r.cohort, r.role, r.quarters_since_join
