"""The export folder: every section from its own seeded stream, written by DuckDB.

DuckDB formats and writes the CSVs (RFC 4180 quoting, NULL -> empty field) with insertion
order preserved, so the same arguments give byte-identical files. Each file's SELECT names
its columns in the contract's words; members.csv adds the identifiers a build must drop.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.warehouse.contract import FILES_BY_NAME
from dashboard.warehouse.synth.activity import COMMENT, VOTE, activity, enrollment_events
from dashboard.warehouse.synth.comments import comments
from dashboard.warehouse.synth.common import DAY_S, stream
from dashboard.warehouse.synth.enrollments import enrollments
from dashboard.warehouse.synth.events import events_frame
from dashboard.warehouse.synth.members import make_members, members_frame
from dashboard.warehouse.synth.projects import (
    link_questions,
    make_projects,
    projects_frame,
    set_statuses,
)
from dashboard.warehouse.synth.questions import (
    make_questions,
    place_special_titles,
    questions_frame,
)
from dashboard.warehouse.synth.rounds import round_candidates, rounds_frame
from dashboard.warehouse.synth.votes import votes

EXPORTED_AT = "2026-11-01T06:00:00Z"
NETWORK = "Demo MS Network"

MACROS = (
    "CREATE TEMP MACRO as_date(d) AS CASE WHEN d >= 0 THEN DATE '1970-01-01' + d::INTEGER END",
    """CREATE TEMP MACRO as_ts(t, f) AS CASE f
        WHEN 0 THEN strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%S')
        WHEN 1 THEN strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%SZ')
        WHEN 2 THEN strftime(make_timestamp((t + 7200) * 1000000), '%Y-%m-%dT%H:%M:%S+02:00')
        ELSE strftime(make_timestamp(t * 1000000), '%Y-%m-%dT%H:%M:%S')
             || printf('.%03d', t % 1000) END""",
)

_MEMBERS_SQL = """
SELECT printf('M%07d', id) AS member_id,
       printf('m%07d@example.org', id) AS email,
       as_date(joined) AS joined_on,
       role, ms_type,
       NULLIF(diagnosis, 0) AS diagnosis_year,
       NULLIF(birth, 0) AS birth_year,
       sex, country, region,
       as_date(withdrawn) AS consent_withdrawn_on,
       first_name, last_name,
       CASE WHEN phone < 0 THEN NULL
            WHEN country IN ('US', 'CA')
                 THEN printf('+1-%03d-555-01%02d', 201 + phone % 780, phone % 100)
            WHEN country = 'GB' THEN printf('+44 7700 900%03d', phone % 1000)
            WHEN country = 'AU' THEN printf('+61 491 570 %03d', phone % 1000)
            ELSE printf('+%d 555 %04d', 30 + phone % 60, phone % 10000) END AS phone,
       CASE WHEN country = 'US' THEN printf('%05d', 1001 + postal % 98000)
            WHEN country = 'CA' THEN chr(65 + postal % 26) || (postal // 26) % 10
                 || chr(65 + (postal // 260) % 26) || ' ' || (postal // 6760) % 10
                 || chr(65 + (postal // 67600) % 26) || (postal // 1757600) % 10
            WHEN country = 'GB'
                 THEN ['SW', 'EC', 'M', 'B', 'LS', 'G', 'EH', 'CF', 'BT'][1 + postal % 9]
                 || 1 + (postal // 9) % 20 || ' ' || (postal // 180) % 10
                 || chr(65 + (postal // 1800) % 26) || chr(65 + (postal // 46800) % 26)
            WHEN country IS NULL THEN NULL
            ELSE printf('%04d', 1000 + postal % 9000) END AS postal_code,
       CASE WHEN birth > 0 THEN make_date(birth, 1, 1) + dob_day END AS date_of_birth
FROM frame
"""

# Contract file name -> SELECT over the section's frame.
SELECTS = {
    "members": _MEMBERS_SQL,
    "questions": """SELECT question_id, as_date(submitted) AS submitted_on, submitted_by_role,
        topic, title, status, project_id FROM frame""",
    "rounds": """SELECT round_id, name, as_date(opens) AS opens_on, as_date(closes) AS closes_on,
        method, max_choices FROM frame""",
    "projects": """SELECT project_id, title, kind, status, partner_type,
        as_date(start) AS started_on, as_date(close) AS closes_on, target_enrollment,
        CASE WHEN origin >= 0 THEN printf('Q%04d', origin + 1) END AS origin_question_id,
        results_url FROM frame""",
    "votes": """SELECT 'R' || round AS round_id, printf('Q%04d', question) AS question_id,
        printf('M%07d', member) AS member_id, as_ts(t, fmt) AS cast_at, value FROM frame""",
    "comments": """SELECT printf('Q%04d', question) AS question_id,
        printf('M%07d', member) AS member_id, as_ts(t, fmt) AS posted_at FROM frame""",
    "enrollments": """SELECT project AS project_id, printf('M%07d', member) AS member_id,
        stage, as_date(day) AS occurred_on FROM frame""",
    "activity": """SELECT printf('M%07d', member) AS member_id, as_date(day) AS occurred_on,
        kind FROM frame""",
    "events": """SELECT as_date(day) AS event_date, as_date("end") AS end_date, label, kind
        FROM frame""",
}


def _write(con: duckdb.DuckDBPyConnection, out_dir: Path, name: str, frame: pd.DataFrame) -> int:
    """Format and write one CSV with DuckDB (RFC 4180 quoting, NULL -> empty field)."""
    path = str(out_dir / FILES_BY_NAME[name].file_name).replace("'", "''")
    con.register("frame", frame)
    try:
        con.execute(f"COPY ({SELECTS[name]}) TO '{path}' (HEADER, DELIMITER ',')")
    finally:
        con.unregister("frame")
    return len(frame)


def write_demo_export(out_dir: Path, members: int = 6000, seed: int = 42) -> dict[str, int]:
    """Write a demo export folder; return {file_name: data_row_count}."""
    if members < 1:
        raise ValueError("members must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Stream numbers are part of the output: renumbering one changes that section's rows.
    m = make_members(stream(seed, 1), members)
    q = make_questions(stream(seed, 2), members)
    cands = round_candidates(stream(seed, 3), q)
    place_special_titles(stream(seed, 4), q, cands)
    projects = make_projects(stream(seed, 5), members)
    link_questions(stream(seed, 5), q, cands, projects)
    set_statuses(stream(seed, 6), q, cands, projects)
    counts: dict[str, int] = {}
    with duckdb.connect(config={"preserve_insertion_order": True}) as con:
        con.execute("SET enable_progress_bar = false")
        for macro in MACROS:
            con.execute(macro)

        def write(name: str, frame: pd.DataFrame) -> None:
            counts[FILES_BY_NAME[name].file_name] = _write(con, out_dir, name, frame)

        write("members", members_frame(stream(seed, 7), m))
        write("questions", questions_frame(q))
        write("rounds", rounds_frame())
        write("projects", projects_frame(projects))
        vote_rows, ballot_members, ballot_days = votes(stream(seed, 8), m, q, cands)
        write("votes", vote_rows)
        del vote_rows
        comment_rows = comments(stream(seed, 9), m, q, cands)
        write("comments", comment_rows)
        enrollment_rows = enrollments(stream(seed, 10), m, projects)
        write("enrollments", enrollment_rows)
        events = [
            (ballot_members, ballot_days, VOTE),
            (comment_rows["member"].to_numpy() - 1, comment_rows["t"].to_numpy() // DAY_S, COMMENT),
            *enrollment_events(enrollment_rows, projects),
        ]
        del comment_rows
        write("activity", activity(stream(seed, 11), m, q, events))
        write("events", events_frame(stream(seed, 12)))
    manifest = {"exported_at": EXPORTED_AT, "network": NETWORK}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts
