-- Rows: one per calendar month and role: members with any participation that month.
-- Grain: month x role.
-- Parameters: none.
SELECT month, role, active
FROM active_cube
ORDER BY month, role
