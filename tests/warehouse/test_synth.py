"""The demo generator writes a realistic export in exactly the EXPORT_FORMAT.md layout.

Checked against the contract as written in ../shared/EXPORT_FORMAT.md (not against
the build's own contract module), read back with DuckDB the way a build would.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dashboard.countries import COUNTRIES as ISO_3166
from dashboard.warehouse import contract
from dashboard.warehouse.synth import vocabulary as words
from dashboard.warehouse.synth import write_demo_export
from dashboard.warehouse.synth.enrollments import FOLLOW_UP, FUNNEL, RECRUIT
from dashboard.warehouse.synth.export import SELECTS
from dashboard.warehouse.synth.projects import DURATIONS, PARTNERS, WINDOWS
from dashboard.warehouse.synth.questions import TOPIC_WEIGHTS
from dashboard.warehouse.synth.rounds import ROUNDS
from dashboard.warehouse.synth.votes import OLDER, PREFS, VOTE_METHODS, YOUNG

AS_OF = "2026-11-01"
IDENTIFIERS = ["email", "first_name", "last_name", "phone", "postal_code", "date_of_birth"]
COLUMNS = {
    "members": [
        "member_id",
        "joined_on",
        "role",
        "ms_type",
        "diagnosis_year",
        "birth_year",
        "sex",
        "country",
        "region",
        "consent_withdrawn_on",
    ],
    "questions": [
        "question_id",
        "submitted_on",
        "submitted_by_role",
        "topic",
        "title",
        "status",
        "project_id",
    ],
    "rounds": ["round_id", "name", "opens_on", "closes_on", "method", "max_choices"],
    "votes": ["round_id", "question_id", "member_id", "cast_at", "value"],
    "comments": ["question_id", "member_id", "posted_at"],
    "projects": [
        "project_id",
        "title",
        "kind",
        "status",
        "partner_type",
        "started_on",
        "closes_on",
        "target_enrollment",
        "origin_question_id",
        "results_url",
    ],
    "enrollments": ["project_id", "member_id", "stage", "occurred_on"],
    "activity": ["member_id", "occurred_on", "kind"],
    # README, "events.csv (optional, an extension of EXPORT_FORMAT.md)"
    "events": ["event_date", "end_date", "label", "kind"],
}
ROLES = ("person_with_ms", "caregiver", "other")
ENUMS = [
    ("members", "role", ROLES),
    ("members", "ms_type", ("RRMS", "SPMS", "PPMS", "CIS", "unknown")),
    ("members", "sex", ("female", "male", "other", "undisclosed")),
    ("questions", "submitted_by_role", ROLES),
    (
        "questions",
        "status",
        ("submitted", "in_discussion", "shortlisted", "in_study", "answered", "archived"),
    ),
    ("rounds", "method", ("pick", "rank", "rate")),
    ("projects", "kind", ("survey", "observational", "clinical_trial", "participant_driven")),
    (
        "projects",
        "status",
        (
            "in_development",
            "open_for_participation",
            "in_progress",
            "completed",
            "results_available",
        ),
    ),
    ("projects", "partner_type", ("academic", "industry", "nonprofit", "network")),
    (
        "enrollments",
        "stage",
        ("invited", "screened", "eligible", "consented", "enrolled", "completed", "withdrawn"),
    ),
    (
        "activity",
        "kind",
        ("login", "survey_completed", "question_submitted", "vote", "comment", "enrollment"),
    ),
]
REFERENCES = [
    ("questions", "project_id", "projects", "project_id"),
    ("votes", "round_id", "rounds", "round_id"),
    ("votes", "question_id", "questions", "question_id"),
    ("votes", "member_id", "members", "member_id"),
    ("comments", "question_id", "questions", "question_id"),
    ("comments", "member_id", "members", "member_id"),
    ("projects", "origin_question_id", "questions", "question_id"),
    ("enrollments", "project_id", "projects", "project_id"),
    ("enrollments", "member_id", "members", "member_id"),
    ("activity", "member_id", "members", "member_id"),
]
UNIQUE = [
    ("members", "member_id"),
    ("questions", "question_id"),
    ("rounds", "round_id"),
    ("projects", "project_id"),
]
DATES = [
    ("members", "joined_on"),
    ("members", "consent_withdrawn_on"),
    ("members", "date_of_birth"),
    ("questions", "submitted_on"),
    ("rounds", "opens_on"),
    ("rounds", "closes_on"),
    ("projects", "started_on"),
    ("projects", "closes_on"),
    ("enrollments", "occurred_on"),
    ("activity", "occurred_on"),
]
TIMESTAMPS = [("votes", "cast_at"), ("comments", "posted_at")]
STAGE_ORDER = "['invited', 'screened', 'eligible', 'consented', 'enrolled', 'completed']"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("demo") / "export"
    return folder, write_demo_export(folder, members=3000, seed=11)


@pytest.fixture(scope="module")
def db(export: tuple[Path, dict[str, int]]) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every file as a view of raw text, read the way a build reads an export."""
    folder, _ = export
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # naive timestamps are UTC
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_csv('{path}', header = true, "
            "all_varchar = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true)"
        )
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_demo_export(tmp_path / "a", members=800, seed=5)
    second = write_demo_export(tmp_path / "b", members=800, seed=5)
    other = write_demo_export(tmp_path / "c", members=800, seed=6)
    assert first == second
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    differs = {k for k, v in _digest(tmp_path / "c").items() if _digest(tmp_path / "a")[k] != v}
    assert {"members.csv", "votes.csv", "questions.csv"} <= differs
    assert other["members.csv"] == 800


def test_folder_has_every_file_and_counts_match(
    export: tuple[Path, dict[str, int]], db: duckdb.DuckDBPyConnection
) -> None:
    folder, counts = export
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.csv" for name in COLUMNS] + ["manifest.json"]
    )
    assert counts == {f"{name}.csv": _one(db, f"SELECT count(*) FROM {name}") for name in COLUMNS}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {"exported_at": "2026-11-01T06:00:00Z", "network": "Demo MS Network"}
    assert counts["members.csv"] == 3000
    assert counts["votes.csv"] > 20 * 3000 * 0.8  # about 20 votes per member


@pytest.mark.parametrize("name", list(COLUMNS))
def test_header_is_exactly_the_contract(export: tuple[Path, dict[str, int]], name: str) -> None:
    folder, _ = export
    raw = (folder / f"{name}.csv").read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf")
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    expected = COLUMNS[name] + (IDENTIFIERS if name == "members" else [])
    assert sorted(header) == sorted(expected)
    assert len(header) == len(set(header))


@pytest.mark.parametrize(("name", "column", "allowed"), ENUMS)
def test_enumerations_use_allowed_values(
    db: duckdb.DuckDBPyConnection, name: str, column: str, allowed: tuple[str, ...]
) -> None:
    values = {r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM {name}").fetchall()}
    assert values - {None} <= set(allowed)
    if column in ("role", "method", "kind", "stage"):  # a demo shows every value
        assert values - {None} == set(allowed)


@pytest.mark.parametrize(("name", "column", "target", "key"), REFERENCES)
def test_references_exist(
    db: duckdb.DuckDBPyConnection, name: str, column: str, target: str, key: str
) -> None:
    missing = _one(
        db,
        f"SELECT count(*) FROM {name} WHERE {column} IS NOT NULL "
        f"AND {column} NOT IN (SELECT {key} FROM {target})",
    )
    assert missing == 0


@pytest.mark.parametrize(("name", "column"), UNIQUE)
def test_ids_are_unique(db: duckdb.DuckDBPyConnection, name: str, column: str) -> None:
    assert _one(db, f"SELECT count(*) - count(DISTINCT {column}) FROM {name}") == 0
    assert _one(db, f"SELECT count(*) FROM {name} WHERE {column} IS NULL") == 0


@pytest.mark.parametrize(("name", "column"), DATES)
def test_dates_parse_and_precede_the_as_of_date(
    db: duckdb.DuckDBPyConnection, name: str, column: str
) -> None:
    bad = _one(
        db,
        f"SELECT count(*) FROM {name} WHERE {column} IS NOT NULL "
        f"AND NOT regexp_full_match({column}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
        f"OR TRY_CAST({column} AS DATE) IS NULL AND {column} IS NOT NULL",
    )
    assert bad == 0
    assert _one(db, f"SELECT max({column}::DATE) < DATE '{AS_OF}' FROM {name}") is not False


@pytest.mark.parametrize(("name", "column"), TIMESTAMPS)
def test_timestamps_parse_in_every_variant(
    db: duckdb.DuckDBPyConnection, name: str, column: str
) -> None:
    bad = _one(db, f"SELECT count(*) FROM {name} WHERE TRY_CAST({column} AS TIMESTAMPTZ) IS NULL")
    assert bad == 0
    assert _one(db, f"SELECT max({column}::TIMESTAMPTZ) < TIMESTAMPTZ '{AS_OF}' FROM {name}")
    plain = _one(db, f"SELECT count(*) FROM {name} WHERE {column} LIKE '____-__-__T__:__:__'")
    assert plain > 0.9 * _one(db, f"SELECT count(*) FROM {name}")  # type: ignore[operator]
    if name == "votes":
        for pattern in ("%Z", "%+02:00", "%:__.___"):
            assert _one(db, f"SELECT count(*) FROM votes WHERE cast_at LIKE '{pattern}'")


def test_rounds_are_well_formed(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "SELECT round_id, opens_on::DATE, closes_on::DATE, method, max_choices::INT, "
        "(SELECT count(DISTINCT question_id) FROM votes v WHERE v.round_id = r.round_id) "
        "FROM rounds r ORDER BY opens_on"
    ).fetchall()
    assert 6 <= len(rows) <= 9
    for _, opens, closes, method, max_choices, questions in rows:
        assert closes >= opens
        assert (max_choices is None) == (method == "rate")
        assert 10 <= questions <= 25
    assert str(rows[-1][2]) < AS_OF
    methods = [r[3] for r in rows]
    assert all(methods.count(m) >= 2 for m in ("pick", "rank", "rate"))


def test_vote_values_and_times_fit_their_round(db: duckdb.DuckDBPyConnection) -> None:
    bad = _one(
        db,
        """SELECT count(*) FROM votes v JOIN rounds r USING (round_id)
           JOIN members m USING (member_id)
           WHERE CASE r.method WHEN 'pick' THEN v.value::INT <> 1
                               WHEN 'rank' THEN v.value::INT NOT BETWEEN 1 AND r.max_choices::INT
                               ELSE v.value::INT NOT BETWEEN 1 AND 5 END
              OR v.cast_at::TIMESTAMPTZ < r.opens_on::DATE::TIMESTAMPTZ
              OR v.cast_at::TIMESTAMPTZ >= (r.closes_on::DATE + 1)::TIMESTAMPTZ
              OR m.joined_on::DATE > r.closes_on::DATE""",
    )
    assert bad == 0
    too_many = _one(
        db,
        """SELECT count(*) FROM (
             SELECT v.round_id, v.member_id, any_value(r.max_choices::INT) AS k,
                    count(DISTINCT v.question_id) AS n
             FROM votes v JOIN rounds r USING (round_id) WHERE r.method <> 'rate' GROUP BY ALL)
           WHERE n > k""",
    )
    assert too_many == 0


def test_some_votes_are_cast_twice_later(db: duckdb.DuckDBPyConnection) -> None:
    twice = db.execute(
        """SELECT count(*), count(*) FILTER (WHERE first < last) FROM (
             SELECT min(cast_at::TIMESTAMPTZ) AS first, max(cast_at::TIMESTAMPTZ) AS last
             FROM votes GROUP BY round_id, question_id, member_id HAVING count(*) > 1)"""
    ).fetchone()
    total = _one(db, "SELECT count(*) FROM votes")
    assert twice is not None
    assert 0.003 * total < twice[0] < 0.03 * total  # type: ignore[operator]
    assert twice[1] == twice[0]


def test_withdrawn_members_leave_rows_for_the_build_to_drop(
    db: duckdb.DuckDBPyConnection,
) -> None:
    share = _one(db, "SELECT avg((consent_withdrawn_on IS NOT NULL)::INT) FROM members")
    assert 0.005 < share < 0.03  # type: ignore[operator]
    assert _one(
        db,
        "SELECT count(*) FROM votes JOIN members USING (member_id) "
        "WHERE consent_withdrawn_on IS NOT NULL",
    )
    assert (
        _one(db, "SELECT count(*) FROM members WHERE consent_withdrawn_on::DATE <= joined_on::DATE")
        == 0
    )


def test_members_are_plausible(db: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "diagnosis after joining": "diagnosis_year::INT > year(joined_on::DATE)",
        "ms_type without MS": "ms_type IS NOT NULL AND role <> 'person_with_ms'",
        "diagnosis without MS": "diagnosis_year IS NOT NULL AND role <> 'person_with_ms'",
        "diagnosis before birth": "diagnosis_year::INT < birth_year::INT",
        "date of birth": "year(date_of_birth::DATE) IS DISTINCT FROM birth_year::INT",
        "email": "email <> lower(member_id) || '@example.org'",
        "member id": "NOT regexp_full_match(member_id, 'M\\d{7}')",
        "region": "region IS NOT NULL AND NOT starts_with(region, country || '-')",
        "age": "2026 - birth_year::INT NOT BETWEEN 20 AND 85",
    }
    for what, condition in checks.items():
        assert _one(db, f"SELECT count(*) FROM members WHERE {condition}") == 0, what
    pwms = _one(db, "SELECT avg((role = 'person_with_ms')::INT) FROM members")
    us = _one(db, "SELECT avg((country = 'US')::INT) FROM members")
    assert 0.72 < pwms < 0.84  # type: ignore[operator]
    assert 0.74 < us < 0.86  # type: ignore[operator]


def test_awkward_titles_are_present(db: duckdb.DuckDBPyConnection) -> None:
    titles = [r[0] for r in db.execute("SELECT title FROM questions").fetchall()]
    for needle in ('"', ",", "<b>bold</b>", "&", "<img src=x onerror=alert(1)>"):
        assert any(needle in t for t in titles), needle
    for needle in ("é", "ü", "ñ", "💊", "🧠", "\n"):
        assert any(needle in t for t in titles), repr(needle)
    for prefix in "=+-@":
        assert any(t.startswith(prefix) for t in titles), prefix
    assert any(t.startswith('=HYPERLINK("http://evil.example"') for t in titles)
    assert len(set(titles)) == len(titles)


def test_progressive_members_favour_progression_and_repair(
    db: duckdb.DuckDBPyConnection,
) -> None:
    """Share of a group's pick-round ballots that include a `Progression & repair` question."""
    shares = dict(
        db.execute(
            """WITH ballots AS (
                 SELECT v.round_id, v.member_id, m.ms_type,
                        bool_or(q.topic = 'Progression & repair') AS chose_it
                 FROM votes v JOIN rounds r USING (round_id)
                 JOIN members m USING (member_id) JOIN questions q USING (question_id)
                 WHERE r.method = 'pick' AND m.role = 'person_with_ms'
                 GROUP BY ALL)
               SELECT CASE WHEN ms_type IN ('SPMS', 'PPMS') THEN 'progressive' ELSE ms_type END,
                      avg(chose_it::INT)
               FROM ballots WHERE ms_type IN ('SPMS', 'PPMS', 'RRMS') GROUP BY 1"""
        ).fetchall()
    )
    assert shares["progressive"] > shares["RRMS"] + 0.2


def test_projects_cover_every_status_and_kind(db: duckdb.DuckDBPyConnection) -> None:
    assert 14 <= _one(db, "SELECT count(*) FROM projects") <= 18  # type: ignore[operator]
    bad_url = _one(
        db,
        """SELECT count(*) FROM projects
           WHERE (status = 'results_available')
                 <> (results_url IS NOT NULL)
              OR results_url <> 'https://example.org/results/' || project_id""",
    )
    assert bad_url == 0
    undated = "started_on IS NULL AND status <> 'in_development'"
    assert _one(db, f"SELECT count(*) FROM projects WHERE {undated}") == 0
    assert _one(db, "SELECT count(*) FROM projects WHERE closes_on < started_on") == 0
    assert _one(db, "SELECT count(*) FROM projects WHERE origin_question_id IS NOT NULL") >= 5  # type: ignore[operator]


def test_questions_and_projects_agree(db: duckdb.DuckDBPyConnection) -> None:
    mismatched = _one(
        db,
        """SELECT count(*) FROM projects p JOIN questions q ON q.question_id = p.origin_question_id
           WHERE q.project_id IS DISTINCT FROM p.project_id""",
    )
    assert mismatched == 0
    inconsistent = _one(
        db,
        """SELECT count(*) FROM questions q LEFT JOIN projects p USING (project_id)
           WHERE (q.status IN ('in_study', 'answered')) <> (q.project_id IS NOT NULL)
              OR (q.status = 'answered') <> (coalesce(p.status, '') = 'results_available')""",
    )
    assert inconsistent == 0
    counts = dict(db.execute("SELECT status, count(*) FROM questions GROUP BY 1").fetchall())
    assert 8 <= counts["in_study"] <= 30
    assert 4 <= counts["answered"] <= 20


def test_enrollment_funnels_are_consistent(db: duckdb.DuckDBPyConnection) -> None:
    db.execute(
        f"""CREATE OR REPLACE TEMP VIEW funnel AS
            SELECT project_id, member_id, stage, occurred_on::DATE AS day,
                   list_position({STAGE_ORDER}, stage) AS step
            FROM enrollments"""
    )
    skipped = _one(
        db,
        """SELECT count(*) FROM (
             SELECT project_id, member_id, max(step) AS top, count(step) AS steps
             FROM funnel WHERE step IS NOT NULL GROUP BY ALL) WHERE top <> steps""",
    )
    assert skipped == 0
    backwards = _one(
        db,
        """SELECT count(*) FROM (
             SELECT day < lag(day) OVER (PARTITION BY project_id, member_id ORDER BY step) AS bad
             FROM funnel WHERE step IS NOT NULL) WHERE bad""",
    )
    assert backwards == 0
    outside = _one(
        db,
        """SELECT count(*) FROM funnel f JOIN projects p USING (project_id)
           WHERE f.day < p.started_on::DATE OR f.day > coalesce(p.closes_on::DATE, DATE '2026-10-31')
              OR p.status = 'in_development'""",
    )
    assert outside == 0
    withdrawn_early = _one(
        db,
        """SELECT count(*) FROM funnel w WHERE stage = 'withdrawn' AND NOT EXISTS (
             SELECT 1 FROM funnel e WHERE e.project_id = w.project_id
             AND e.member_id = w.member_id AND e.stage = 'enrolled' AND e.day <= w.day)""",
    )
    assert withdrawn_early == 0
    assert _one(db, "SELECT count(*) FROM funnel WHERE stage = 'withdrawn'")


def test_activity_makes_monthly_active_members_meaningful(db: duckdb.DuckDBPyConnection) -> None:
    per_member = _one(db, "SELECT count(*) / count(DISTINCT member_id) FROM activity")
    assert 8 < per_member < 25  # type: ignore[operator]
    active = _one(
        db,
        "SELECT count(DISTINCT member_id) FROM activity WHERE occurred_on LIKE '2026-10-%'",
    )
    assert 0.05 * 3000 < active < 0.5 * 3000  # type: ignore[operator]
    early = _one(
        db,
        """SELECT count(*) FROM activity a JOIN members m USING (member_id)
           WHERE a.occurred_on::DATE < m.joined_on::DATE""",
    )
    assert early == 0


# --- The generator's own tables agree with the contract module and with each other -----


def test_generator_tables_are_keyed_by_contract_values() -> None:
    """Every value the generator keys a table by is the contract's, and each table covers it."""
    assert set(VOTE_METHODS) == set(contract.ROUND_METHODS)
    assert {r.method for r in ROUNDS} == set(contract.ROUND_METHODS)
    kinds = set(contract.PROJECT_KINDS)
    assert set(DURATIONS) == set(PARTNERS) == set(FOLLOW_UP) == kinds
    assert {kind for _, kind, _ in words.PROJECT_IDEAS} == kinds
    assert {t for types, _ in PARTNERS.values() for t in types} <= set(contract.PARTNER_TYPES)
    assert set(WINDOWS) == set(RECRUIT) == set(contract.PROJECT_STATUSES) - {"in_development"}
    # invited, one stage per funnel step up to enrolled, then completed and withdrawn
    assert len(FUNNEL) + 3 == len(contract.STAGES)
    assert contract.STAGES[len(FUNNEL)] == "enrolled"
    assert set(SELECTS) == set(contract.FILES_BY_NAME)


def test_vocabulary_fits_the_generator() -> None:
    n = len(words.TOPICS)
    assert len(words.TEMPLATES) == len(TOPIC_WEIGHTS) == PREFS.shape[1] == len(YOUNG) == n
    assert len(OLDER) == n
    assert all(t.count("{}") == len(slots) for topic in words.TEMPLATES for t, slots in topic)
    assert all(0 <= topic < n for topic, _ in words.SPECIAL_TITLES)
    assert all(0 <= topic < n for topic, _, _ in words.PROJECT_IDEAS)
    assert len(words.COUNTRY_WEIGHTS) == len(words.COUNTRIES)
    assert set(words.COUNTRIES) <= ISO_3166.keys()
    assert set(words.REGIONS) <= set(words.COUNTRIES)
