-- Rows: one per complete calendar month and role: members with any participation
-- that month (the running month is not published until it is over).
-- Grain: month x role.
-- Parameters: none.
SELECT month, role, active
FROM active_cube
WHERE month < (SELECT date_trunc('month', as_of) FROM build_info)
ORDER BY month, role
