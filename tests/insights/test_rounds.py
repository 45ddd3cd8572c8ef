"""Votes and comments per round, checked against the export and the rollups."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb

from dashboard.config import Settings
from dashboard.engine import Engine
from tests.conftest import FIXTURE_EXPORT

K = 11


def test_fixture_rounds_match_the_export(engine: Engine) -> None:
    rows = {r["round_id"]: r for r in engine.run("rounds", {}).rows}
    with (FIXTURE_EXPORT / "rounds.csv").open(encoding="utf-8") as f:
        rounds = {r["round_id"]: r for r in csv.DictReader(f)}
    with (FIXTURE_EXPORT / "members.csv").open(encoding="utf-8") as f:
        withdrawn = {m["member_id"] for m in csv.DictReader(f) if m["consent_withdrawn_on"]}
    with (FIXTURE_EXPORT / "comments.csv").open(encoding="utf-8") as f:
        comments = [c for c in csv.DictReader(f) if c["member_id"] not in withdrawn]
    for rid, spec in rounds.items():
        opens, closes = (dt.date.fromisoformat(spec[c][:10]) for c in ("opens_on", "closes_on"))
        during = [c for c in comments
                  if opens <= dt.date.fromisoformat(c["posted_at"][:10]) <= closes]  # fmt: skip
        n = len(during)
        assert rows[rid]["comments"] == (None if 0 < n < K else n), rid
    # R1 (pick): 36 voters, as in the priorities chart; its votes include a withheld
    # question count (Q3), so their sum is withheld too.
    assert rows["R1"]["voters"] == 36 and rows["R1"]["votes"] is None
    assert "votes" in rows["R1"]["suppressed"]
    # R3 (rate): every voter rated both questions (24 raters each): voters can be shown.
    assert rows["R3"]["voters"] == 24 and rows["R3"]["votes"] == 48


def test_rate_round_voters_only_when_no_question_is_skipped_by_a_few(demo_warehouse: Path):
    demo = Engine(Settings(warehouse=demo_warehouse, k=K, query_timeout_s=30, network_name=""))
    rows = {r["round_id"]: r for r in demo.run("rounds", {}).rows}
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    rate = [
        r for (r,) in con.execute("SELECT round_id FROM rounds WHERE method = 'rate'").fetchall()
    ]
    assert rate
    for rid in rate:
        (voters,) = con.execute("SELECT sum(voters) FROM voter_cube WHERE round_id = ?",
                                [rid]).fetchone()  # fmt: skip
        raters = [n for (n,) in con.execute(
            "SELECT sum(voters) FROM vote_cube WHERE round_id = ? GROUP BY question_id", [rid]
        ).fetchall()]  # fmt: skip
        safe = voters >= K and all(voters - n == 0 or voters - n >= K for n in raters)
        assert rows[rid]["voters"] == (voters if safe else None), rid
    con.close()
