-- Rows: one per complete join month and role: members who joined (a month is
-- published once it is over, and kept as published: see the release policy).
-- Grain: joined_month x role.
-- Parameters: none.
SELECT joined_month AS month, role, sum(members) AS members
FROM member_cube
WHERE joined_month < (SELECT date_trunc('month', as_of) FROM build_info)
GROUP BY ALL
ORDER BY month, role
