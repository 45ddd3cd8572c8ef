-- Rows: one per join-cohort quarter, role and quarters since joining, with the
-- cohort's size and how many of it were active in that quarter.
-- Grain: cohort x role x quarters_since_join.
-- Parameters: none.
WITH sizes AS (
    SELECT CAST(date_trunc('quarter', joined_month) AS DATE) AS cohort, role,
           sum(members) AS cohort_size
    FROM member_cube
    GROUP BY ALL
)
SELECT r.cohort, r.role, r.quarters_since_join, s.cohort_size, r.active
FROM retention_cube AS r
JOIN sizes AS s USING (cohort, role)
ORDER BY r.cohort, r.role, r.quarters_since_join
