-- Rows: one per country (ISO 3166-1 alpha-2, or 'unknown') and role: members who
-- joined before the running month (the same people as the members chart's last total).
-- Grain: country x role.
-- Parameters: none.
SELECT country, role, sum(members) AS members
FROM member_cube
WHERE joined_month < (SELECT date_trunc('month', as_of) FROM build_info)
GROUP BY ALL
ORDER BY country, role
