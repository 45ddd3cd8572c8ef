-- Grain: one row per member, question and round; a member who voted twice
-- counts once, with the latest cast_at (then the later line) winning.
-- Withdrawn members' votes are gone with them (inner join on members).
-- cast_at is parsed once per row (typed), not again for the window's order.
-- Parameters: none.
CREATE TABLE votes AS
WITH typed AS (
    SELECT round_id, question_id, member_id, utc_ts(cast_at) AS cast_at, value, rowid AS line
    FROM raw_votes
),
ranked AS (
    SELECT
        round_id,
        question_id,
        member_id,
        cast_at,
        CAST(value AS INTEGER) AS value,
        row_number() OVER (
            PARTITION BY round_id, question_id, member_id
            ORDER BY cast_at DESC, line DESC
        ) AS nth
    FROM typed
)
SELECT r.round_id, r.question_id, p.member_key, CAST(r.cast_at AS DATE) AS cast_on, r.value
FROM ranked AS r
JOIN pseudonyms AS p USING (member_id)
JOIN members AS m ON m.member_key = p.member_key
WHERE r.nth = 1
ORDER BY r.round_id, r.question_id
