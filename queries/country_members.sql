-- Rows: one per country (ISO 3166-1 alpha-2, or 'unknown') and role: members.
-- Grain: country x role.
-- Parameters: none.
SELECT country, role, sum(members) AS members
FROM member_cube
GROUP BY ALL
ORDER BY country, role
