-- Rollup. Grain: one row per join month and member profile: members who joined.
-- Parameters: none.
CREATE TABLE member_cube AS
SELECT
    joined_month,
    role, ms_type, ms_course, age_band, duration_band, sex, country,
    count(*) AS members
FROM members
GROUP BY ALL
ORDER BY joined_month
