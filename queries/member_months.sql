-- Rows: one per join month and role: members who joined (and have not withdrawn).
-- Grain: joined_month x role.
-- Parameters: none.
SELECT joined_month AS month, role, sum(members) AS members
FROM member_cube
GROUP BY ALL
ORDER BY month, role
