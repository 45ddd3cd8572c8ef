-- Grain: one row per member who has not withdrawn consent.
-- Pseudonymous by construction: member_key is a keyed HMAC of the platform id
-- (TEMP table pseudonyms); no platform id, birth year, diagnosis year, exact
-- join date or region is stored. Age and disease duration are bands at $as_of.
-- Parameters: $as_of (DATE).
CREATE TABLE members AS
WITH typed AS (
    SELECT
        p.member_key,
        CAST(m.joined_on AS DATE) AS joined_on,
        m.role,
        CASE WHEN m.role = 'person_with_ms' THEN coalesce(m.ms_type, 'unknown')
             ELSE 'not-applicable' END AS ms_type,
        year(CAST($as_of AS DATE)) - CAST(m.birth_year AS INTEGER) AS age,
        CASE WHEN m.role = 'person_with_ms'
             THEN year(CAST($as_of AS DATE)) - CAST(m.diagnosis_year AS INTEGER) END AS years_since_dx,
        coalesce(m.sex, 'undisclosed') AS sex,
        coalesce(m.country, 'unknown') AS country
    FROM raw_members AS m
    JOIN pseudonyms AS p USING (member_id)
    WHERE m.consent_withdrawn_on IS NULL
)
SELECT
    member_key,
    CAST(date_trunc('month', joined_on) AS DATE) AS joined_month,
    role,
    ms_type,
    CASE WHEN ms_type IN ('RRMS', 'CIS') THEN 'relapsing'
         WHEN ms_type IN ('SPMS', 'PPMS') THEN 'progressive'
         ELSE ms_type END AS ms_course,
    CASE WHEN age IS NULL THEN 'unknown'
         WHEN age < 30 THEN 'under-30'
         WHEN age < 40 THEN '30-39'
         WHEN age < 50 THEN '40-49'
         WHEN age < 60 THEN '50-59'
         WHEN age < 70 THEN '60-69'
         ELSE '70-plus' END AS age_band,
    CASE WHEN role <> 'person_with_ms' THEN 'not-applicable'
         WHEN years_since_dx IS NULL THEN 'unknown'
         WHEN years_since_dx < 5 THEN 'under-5'
         WHEN years_since_dx < 10 THEN '5-9'
         WHEN years_since_dx < 20 THEN '10-19'
         ELSE '20-plus' END AS duration_band,
    sex,
    country
FROM typed
ORDER BY member_key
