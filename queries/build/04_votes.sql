-- Grain: one row per member, question and round; a member who voted twice
-- counts once, with the latest cast_at (then the later line) winning.
-- Withdrawn members' votes are gone with them (inner join on members).
-- Repeated votes are rare (about 1%), so only they are grouped: a hash of the key
-- finds the keys seen more than once (a group-by on one integer, no payload), every
-- other vote passes through, and the repeated ones are grouped by their real key
-- (so a hash collision only sends a vote down the exact path). At 1M members this
-- is about half the work of grouping or ranking all 22M votes.
-- Not sorted: the build's cubes (and benchmarks/pandas_baseline.py) read it whole and
-- group it (the sort of 22M rows was about 2 s of the 1M build).
-- Parameters: none.
CREATE TABLE votes AS
WITH typed AS NOT MATERIALIZED (
    SELECT v.round_id, v.question_id, p.member_key, v.cast_at, v.value, v.rowid AS line,
           hash(v.round_id, v.question_id, p.member_key) AS h
    FROM raw_votes AS v
    JOIN pseudonyms AS p USING (member_id)
    JOIN members AS m ON m.member_key = p.member_key
),
repeated AS (
    SELECT h FROM typed GROUP BY h HAVING count(*) > 1
),
latest AS (
    SELECT round_id, question_id, member_key,
           arg_max({'cast_at': utc_ts(cast_at), 'value': value},
                   {'cast_at': utc_ts(cast_at), 'line': line}) AS vote
    FROM typed SEMI JOIN repeated USING (h)
    GROUP BY round_id, question_id, member_key
)
SELECT round_id, question_id, member_key, CAST(utc_ts(cast_at) AS DATE) AS cast_on,
       CAST(value AS INTEGER) AS value
FROM typed ANTI JOIN repeated USING (h)
UNION ALL
SELECT round_id, question_id, member_key, CAST(vote.cast_at AS DATE), CAST(vote.value AS INTEGER)
FROM latest
