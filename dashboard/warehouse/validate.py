"""Read an export folder into staging tables and check it against the contract.

Everything here runs inside the build's own DuckDB connection, on TEMP tables
that never reach the warehouse file. Problems are collected, not raised one by
one, so a data manager gets the whole list (up to a cap) with file, line and
column, in one run.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.insights.vote_methods import METHODS
from dashboard.warehouse.contract import (
    EVENT_LABEL_CHARS,
    FILES,
    FILES_BY_NAME,
    PERSON_COLUMNS,
    Column,
    FileSpec,
)

MAX_PROBLEMS = 200
MAX_VALUE_CHARS = 60
MAX_LINE_BYTES = 1 << 20  # read_csv's max_line_size
SCAN_CHUNK = 8 << 20


@dataclass(frozen=True, order=True)
class Problem:
    """One way a row breaks the contract."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else (f"{where}: {self.message}")
        )


@dataclass
class Report:
    """What validation found: problems stop the build, warnings do not."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total_problems: int = 0

    def add(self, problem: Problem) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    def render(self) -> str:
        lines = [str(p) for p in sorted(self.problems)]
        if self.total_problems > len(self.problems):
            lines.append(f"... and {self.total_problems - len(self.problems)} more problems")
        return "\n".join(lines)


class ExportInvalid(Exception):
    """The export breaks the contract; the message lists every problem found."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(
            f"the export has {report.total_problems} problem(s); nothing was published:\n"
            + report.render()
        )


def _normalise(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def read_header(path: Path) -> list[str] | None:
    """The header row's names, or None for an empty file (BOM and CRLF accepted)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip():
        return None
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head)
    return next(csv.reader(io.StringIO(text, newline="")), None)


def scan_bytes(path: Path) -> tuple[int, str] | None:
    """(physical line, message) of the first bytes read_csv must never see, or None.

    One streaming pass, in bounded memory, before DuckDB reads the file: DuckDB
    needs gigabytes to reject a large file of invalid UTF-8 row by row, and
    silently skips a line much longer than its buffer. Lines of 1 to 2 MB are
    left to read_csv, which rejects them itself.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, run = 1, 0  # run: bytes since the last newline
    with path.open("rb") as fh:
        while chunk := fh.read(SCAN_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, max(exc.start, 0)), "not valid UTF-8"
            too_long = (line, f"a line is longer than {MAX_LINE_BYTES >> 20} MB")
            first = chunk.find(b"\n")
            if first == -1:
                run += len(chunk)
                if run > 2 * MAX_LINE_BYTES:
                    return too_long
                continue
            if run + first > 2 * MAX_LINE_BYTES:
                return too_long
            # Windows of MAX + 1 bytes every MAX bytes: any line over 2 MB holds one whole.
            for start in range(first + 1, len(chunk) - MAX_LINE_BYTES, MAX_LINE_BYTES):
                if chunk.find(b"\n", start, start + MAX_LINE_BYTES + 1) == -1:
                    at = line + chunk.count(b"\n", 0, start)
                    return at, f"a line is longer than {MAX_LINE_BYTES >> 20} MB"
            line += chunk.count(b"\n")
            run = len(chunk) - 1 - chunk.rfind(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line, "not valid UTF-8 (the file ends inside a character)"
    return None


def record_start_lines(path: Path, records: set[int]) -> dict[int, int]:
    """Map 1-based record numbers (header = 1) to the physical line each starts on.

    Only called for records that have problems, so a valid file is never
    read twice by Python.
    """
    wanted = sorted(records)
    found: dict[int, int] = {}
    if not wanted:
        return found
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        previous_end = 0
        for number, _row in enumerate(reader, start=1):
            if number in records:
                found[number] = previous_end + 1
                if len(found) == len(wanted):
                    break
            previous_end = reader.line_num
    for number in wanted:
        found.setdefault(number, number)
    return found


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Staged:
    """A file loaded into a TEMP table, with what is needed to name its lines."""

    spec: FileSpec
    path: Path
    table: str
    rejected_records: list[int] = field(default_factory=list)
    present: set[str] = field(default_factory=set)

    def record_of_row(self, rowid: int) -> int:
        """Record number (header = 1) of the rowid-th accepted row."""
        # The i-th accepted record is the i-th record number not rejected.
        target = rowid + 2
        lo = target
        while True:
            skipped = bisect.bisect_right(self.rejected_records, lo)
            candidate = target + skipped
            if candidate == lo:
                return lo
            lo = candidate


def stage_file(
    con: duckdb.DuckDBPyConnection, folder: Path, spec: FileSpec, report: Report
) -> Staged | None:
    """Load one CSV's allow-listed columns into TEMP table raw_<name>."""
    path = folder / spec.file_name
    if not path.is_file():
        if spec.optional:  # an empty table: the build's steps read it like any other
            columns = ", ".join(f"{c.name} VARCHAR" for c in spec.columns)
            con.execute(f"CREATE OR REPLACE TEMP TABLE raw_{spec.name} ({columns})")
        else:
            report.add(Problem(spec.file_name, 0, "", "file is missing from the export"))
        return None
    header = read_header(path)
    if header is None:
        report.add(Problem(spec.file_name, 1, "", "file is empty (no header row)"))
        return None
    names = [_normalise(h) for h in header]
    wanted = {c.name for c in spec.columns}
    seen: dict[str, int] = {}
    for idx, name in enumerate(names):
        if name in wanted and name in seen:
            report.add(Problem(spec.file_name, 1, name, "column appears twice in the header"))
        seen.setdefault(name, idx)
    extra = sorted({n for n in names if n not in wanted})
    if not spec.about_people:
        for name in extra:
            if PERSON_COLUMNS.search(name):
                report.add(Problem(spec.file_name, 1, name[:MAX_VALUE_CHARS],
                                   f"{spec.file_name} is about the network, not its members: "
                                   "a column that could identify a person is not allowed "
                                   "(remove it from the export)"))  # fmt: skip
    if extra:
        report.warnings.append(
            f"{spec.file_name}: dropped columns not in the contract: {', '.join(extra)}"
        )
    for column in spec.columns:
        if column.name not in seen and column.required:
            report.add(Problem(spec.file_name, 1, column.name, "required column is missing"))
    unreadable = scan_bytes(path)
    if unreadable is not None:
        report.add(Problem(spec.file_name, unreadable[0], "", unreadable[1]))
        return None
    staged = Staged(spec, path, f"raw_{spec.name}", present=set(seen) & wanted)
    csv_columns = {f"c{i}": "VARCHAR" for i in range(len(names))}
    select = ", ".join(
        f"NULLIF(trim(c{seen[c.name]}), '') AS {c.name}"
        if c.name in seen
        else f"NULL::VARCHAR AS {c.name}"
        for c in spec.columns
    )
    con.execute(f"DROP TABLE IF EXISTS {spec.name}_rejects")
    con.execute(f"DROP TABLE IF EXISTS {spec.name}_reject_scans")
    try:
        con.execute(
            f"CREATE TEMP TABLE {staged.table} AS SELECT {select} FROM read_csv($path, "
            "header = false, skip = 1, columns = $columns, auto_detect = false, delim = ',', "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            f"store_rejects = true, rejects_table = '{spec.name}_rejects', "
            f"rejects_scan = '{spec.name}_reject_scans', max_line_size = {MAX_LINE_BYTES})",
            {"path": str(path), "columns": csv_columns},
        )
    except duckdb.Error as exc:  # e.g. "the CSV parser state machine reached an invalid state"
        reason = str(exc).splitlines()[0][:200]
        report.add(Problem(spec.file_name, 0, "", f"cannot be read as CSV ({reason})"))
        return None
    rejects = con.execute(
        f"SELECT DISTINCT line, error_type, error_message FROM {spec.name}_rejects ORDER BY line"
    ).fetchall()
    staged.rejected_records = sorted({int(r[0]) for r in rejects})
    if rejects:
        lines = record_start_lines(path, {int(r[0]) for r in rejects[:MAX_PROBLEMS]})
        for number, kind, message in rejects:
            line = lines.get(int(number), int(number))
            text = "not valid UTF-8" if "ENCODING" in kind else f"unreadable row ({message})"
            report.add(Problem(spec.file_name, line, "", text))
    return staged


def _value_checks(column: Column) -> list[tuple[str, str]]:
    """(condition that is true for a bad row, message SQL) pairs for one column."""
    v = column.name
    shown = f"left({v}, {MAX_VALUE_CHARS})"
    checks: list[tuple[str, str]] = []
    if column.required:
        checks.append((f"{v} IS NULL", "'missing required value'"))
    if column.kind == "enum":
        allowed = ", ".join(_quote(x) for x in column.values)
        checks.append(
            (
                f"{v} IS NOT NULL AND {v} NOT IN ({allowed})",
                f"'unknown value ' || {shown} || ' (allowed: {', '.join(column.values)})'",
            )
        )
    elif column.kind == "date":
        checks.append(
            (
                f"{v} IS NOT NULL AND (NOT regexp_full_match({v}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                f"OR TRY_CAST({v} AS DATE) IS NULL)",
                f"'not a date (YYYY-MM-DD): ' || {shown}",
            )
        )
    elif column.kind == "timestamp":
        checks.append(
            (
                f"{v} IS NOT NULL AND (NOT regexp_full_match({v}, "
                "'\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?') "
                f"OR TRY_CAST(substr({v}, 1, 19) AS TIMESTAMP) IS NULL)",
                f"'not an ISO 8601 timestamp: ' || {shown}",
            )
        )
    elif column.kind in ("int", "year"):
        checks.append(
            (
                f"{v} IS NOT NULL AND TRY_CAST({v} AS BIGINT) IS NULL",
                f"'not a whole number: ' || {shown}",
            )
        )
        if column.kind == "year":
            checks.append(
                (
                    f"TRY_CAST({v} AS BIGINT) NOT BETWEEN 1900 AND 2100",
                    f"'not a plausible year: ' || {shown}",
                )
            )
    elif column.kind == "url":
        checks.append(
            (
                f"{v} IS NOT NULL AND NOT regexp_full_match({v}, 'https://[^\\s<>\"]+')",
                f"'not an https URL: ' || {shown}",
            )
        )
    elif column.kind == "id":
        checks.append(
            (f"length({v}) > 200", "'identifier longer than 200 characters'"),
        )
    if column.name == "country":
        checks.append(
            (
                f"{v} IS NOT NULL AND NOT regexp_full_match({v}, '[A-Z]{{2}}')",
                f"'not an ISO 3166-1 alpha-2 code: ' || {shown}",
            )
        )
    if column.name == "region":
        checks.append(
            (
                f"{v} IS NOT NULL AND NOT regexp_full_match({v}, '[A-Z]{{2}}-[A-Z0-9]{{1,3}}')",
                f"'not an ISO 3166-2 code: ' || {shown}",
            )
        )
    return checks


# Rules that involve more than one column of a row: (file, column, bad-row condition, message).
ROW_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "members",
        "diagnosis_year",
        "TRY_CAST(diagnosis_year AS BIGINT) > year(TRY_CAST(joined_on AS DATE))",
        "'diagnosis_year is after the year of joined_on'",
    ),
    (
        "rounds",
        "closes_on",
        "TRY_CAST(closes_on AS DATE) < TRY_CAST(opens_on AS DATE)",
        "'closes_on is before opens_on'",
    ),
    (
        "rounds",
        "max_choices",
        "method IN (SELECT method FROM vote_rules WHERE needs_max_choices) AND max_choices IS NULL",
        "'required for "
        + " and ".join(m.name for m in METHODS.values() if m.has_max_choices)
        + " rounds'",
    ),
    (
        "rounds",
        "max_choices",
        "TRY_CAST(max_choices AS BIGINT) < 1",
        "'must be at least 1'",
    ),
    (
        "events",
        "end_date",
        "TRY_CAST(end_date AS DATE) < TRY_CAST(event_date AS DATE)",
        "'end_date is before event_date'",
    ),
    (
        "events",
        "label",
        f"length(label) > {EVENT_LABEL_CHARS}",
        f"'longer than {EVENT_LABEL_CHARS} characters (a chart label must be short): ' "
        f"|| left(label, {MAX_VALUE_CHARS})",
    ),
    (
        "events",
        "label",
        "regexp_matches(label, '[[:cntrl:]]')",
        "'must be one line of text (no line breaks or control characters)'",
    ),
    (
        "projects",
        "target_enrollment",
        "TRY_CAST(target_enrollment AS BIGINT) < 0",
        "'must not be negative'",
    ),
)


def _collect(
    con: duckdb.DuckDBPyConnection,
    staged: Staged,
    rows_sql: str,
    report: Report,
    column: str,
) -> None:
    """Run a query returning (rowid, message) for bad rows; add them as problems."""
    total = con.execute(f"SELECT count(*) FROM ({rows_sql})").fetchone()
    count = int(total[0]) if total else 0
    if not count:
        return
    room = max(MAX_PROBLEMS - len(report.problems), 0)
    rows = con.execute(f"{rows_sql} ORDER BY 1 LIMIT {room}").fetchall() if room else []
    lines = record_start_lines(staged.path, {staged.record_of_row(int(r[0])) for r in rows})
    for rowid, message in rows:
        report.add(
            Problem(staged.spec.file_name, lines[staged.record_of_row(int(rowid))], column, message)
        )
    report.total_problems += count - len(rows)


def _check_values(con: duckdb.DuckDBPyConnection, staged: Staged, report: Report) -> None:
    for column in staged.spec.columns:
        if column.name not in staged.present:
            continue
        for condition, message in _value_checks(column):
            sql = f"SELECT rowid, {message} FROM {staged.table} WHERE {condition}"
            _collect(con, staged, sql, report, column.name)
        if column.unique:
            sql = (
                f"SELECT rowid, 'duplicate value ' || left({column.name}, {MAX_VALUE_CHARS}) "
                f"FROM (SELECT rowid, {column.name}, row_number() OVER "
                f"(PARTITION BY {column.name} ORDER BY rowid) AS n FROM {staged.table} "
                f"WHERE {column.name} IS NOT NULL) WHERE n > 1"
            )
            _collect(con, staged, sql, report, column.name)
    for file, column, condition, message in ROW_RULES:
        if file == staged.spec.name and column in staged.present:
            sql = f"SELECT rowid, {message} FROM {staged.table} WHERE {condition}"
            _collect(con, staged, sql, report, column)


def _check_references(
    con: duckdb.DuckDBPyConnection, stages: dict[str, Staged], report: Report
) -> None:
    for staged in stages.values():
        for column in staged.spec.columns:
            if not column.references or column.name not in staged.present:
                continue
            file, target = column.references.split(".")
            if file not in stages or target not in stages[file].present:
                continue
            # Distinct values first: 22M votes name 1M members (half the time of an
            # anti-join of every row); rows are only looked for when one is missing.
            missing = con.execute(
                f"SELECT count(*) FROM (SELECT DISTINCT {column.name} AS v FROM {staged.table}"
                f" WHERE {column.name} IS NOT NULL) s WHERE NOT EXISTS (SELECT 1 FROM "
                f"{stages[file].table} t WHERE t.{target} = s.v)"
            ).fetchone()
            if not missing or not missing[0]:
                continue
            sql = (
                f"SELECT s.rowid, 'no such {target} in {file}.csv: ' || "
                f"left(s.{column.name}, {MAX_VALUE_CHARS}) FROM {staged.table} s "
                f"WHERE s.{column.name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{stages[file].table} t WHERE t.{target} = s.{column.name})"
            )
            _collect(con, staged, sql, report, column.name)


def _vote_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Each vote method's allowed values, as a table the checks join (asked of the method).

    `capped`: the highest value is the round's max_choices (a rank round ranks that many).
    """
    con.execute("CREATE OR REPLACE TEMP TABLE vote_rules (method VARCHAR, "
                "needs_max_choices BOOLEAN, low BIGINT, high BIGINT, capped BOOLEAN)")  # fmt: skip
    for m in METHODS.values():
        low, high = m.value_range(1)
        capped = m.value_range(2) != (low, high)
        con.execute("INSERT INTO vote_rules VALUES (?, ?, ?, ?, ?)",
                    [m.name, m.has_max_choices, low, high, capped])  # fmt: skip


def _check_vote_values(
    con: duckdb.DuckDBPyConnection, stages: dict[str, Staged], report: Report
) -> None:
    if "votes" not in stages or "rounds" not in stages:
        return
    sql = (
        "SELECT v.rowid, 'value ' || left(v.value, 20) || ' is out of range for a ' || r.method "
        "|| ' round (' || q.low || CASE WHEN q.capped THEN '..' || coalesce(r.max_choices, '1') "
        "WHEN q.high > q.low THEN '..' || q.high ELSE '' END || ')' "
        "FROM raw_votes v JOIN raw_rounds r USING (round_id) JOIN vote_rules q USING (method) "
        "WHERE TRY_CAST(v.value AS BIGINT) IS NOT NULL AND NOT TRY_CAST(v.value AS BIGINT) "
        "BETWEEN q.low AND CASE WHEN q.capped THEN coalesce(TRY_CAST(r.max_choices AS BIGINT), "
        "1) ELSE q.high END"
    )
    _collect(con, stages["votes"], sql, report, "value")


def stage_and_validate(con: duckdb.DuckDBPyConnection, folder: Path) -> Report:
    """Stage every file of the export and check it; the caller decides what to do."""
    report = Report()
    if not folder.is_dir():
        report.add(Problem(str(folder), 0, "", "export folder does not exist"))
        return report
    _vote_rules(con)
    stages: dict[str, Staged] = {}
    for spec in FILES:
        staged = stage_file(con, folder, spec, report)
        if staged is not None:
            stages[spec.name] = staged
    for staged in stages.values():
        _check_values(con, staged, report)
    _check_references(con, stages, report)
    _check_vote_values(con, stages, report)
    unknown = sorted(p.name for p in folder.glob("*.csv") if p.stem.lower() not in FILES_BY_NAME)
    if unknown:
        report.warnings.append(f"ignored files not in the contract: {', '.join(unknown)}")
    return report
