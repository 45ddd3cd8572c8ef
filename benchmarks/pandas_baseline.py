"""A straightforward pandas implementation of the researcher interactions.

This is the comparison point of the benchmark suite (issue #7): what an analyst
without our warehouse design would write. It reads the anonymized *base* tables
(members, votes, questions, rounds, comments, projects, enrollments, activity)
once from the warehouse file into pandas DataFrames and answers every
interaction by filtering those DataFrames and aggregating with groupby. It
never reads the pre-aggregated rollups (vote_cube, voter_cube, member_cube, ...).

Two things keep the comparison fair to pandas:
- low-cardinality text columns become ``category`` at load time (what anyone
  who knows pandas does for 20M rows; it makes filters and groupbys faster and
  the frames smaller), and the load cost is measured separately;
- it applies only the simple k threshold (a count of 1..k-1 people, and the
  "did not choose it" complement of a share, is withheld with every value
  derived from it), not the engine's full disclosure control, so it does less
  work than the engine, never more.

Interface for the benchmark harness::

    base = PandasBaseline("data/warehouse.duckdb")      # loads the tables
    base.load_seconds, base.rss_bytes, base.hwm_bytes    # load cost
    df = base.run("priorities", {"round": "R7", "role": "caregiver"})

`run` takes the engine's chart ids and filter names/values (see CHART_FILTERS)
and returns a DataFrame; withheld counts are <NA>, withheld derived values NaN,
and the `suppressed` column names the withheld fields of each row. A group too
small to show gives an empty DataFrame with ``df.attrs["message"]`` set.

``python -m benchmarks.pandas_baseline [WAREHOUSE]`` loads a warehouse, checks
the numbers against the engine (`compare_with_engine`) and prints load cost and
per-interaction times.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.insights.vote_methods import SCORES, vote_method

BASE_TABLES = (
    "members",
    "votes",
    "questions",
    "rounds",
    "comments",
    "projects",
    "enrollments",
    "activity",
)
ROLES = ("person_with_ms", "caregiver", "other")
# Voter-profile filters and their categories (same names and values as the engine).
PROFILE_VALUES: dict[str, tuple[str, ...]] = {
    "role": ROLES,
    "ms_type": ("RRMS", "SPMS", "PPMS", "CIS", "unknown", "not-applicable"),
    "ms_course": ("relapsing", "progressive", "unknown", "not-applicable"),
    "age_band": ("under-30", "30-39", "40-49", "50-59", "60-69", "70-plus", "unknown"),
    "duration_band": ("under-5", "5-9", "10-19", "20-plus", "unknown", "not-applicable"),
    "sex": ("female", "male", "other", "undisclosed"),
    "country": (),  # whatever the data holds
}
PROFILE = tuple(PROFILE_VALUES)
CHART_FILTERS: dict[str, tuple[str, ...]] = {
    "priorities": ("round", "topic", "method", *PROFILE),
    "priorities-by-group": ("round", "topic", "compare", *PROFILE),
    "topics": ("round", "topic", *PROFILE),
    "members": ("role", "from", "to"),
    "active-members": ("role", "from", "to"),
    "retention": ("role",),
    "countries": ("role",),
    "enrollment": ("project",),
    "accrual": ("project", "from", "to"),
}
MAX_PROFILE_FILTERS = 3
STAGES = ("invited", "screened", "eligible", "consented", "enrolled", "completed")
Z95 = 1.959963984540054
# The engine's declarations of what each round method scores (not its computations).
SCORE_FIELDS = {s.name: (s.field, s.low, s.high) for s in SCORES.values()}


# --------------------------------------------------------------------------- memory


def proc_status_bytes(field: str) -> int:
    """A /proc/self/status memory field (VmRSS, VmHWM, ...) in bytes (0 if unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_bytes() -> int:
    """Resident memory of this process now."""
    return proc_status_bytes("VmRSS")


def hwm_bytes() -> int:
    """Peak resident memory of this process so far."""
    return proc_status_bytes("VmHWM")


# --------------------------------------------------------------------------- statistics


def wilson(x: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson score interval (NaN where n == 0)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        low = np.where(n > 0, np.maximum(0.0, centre - half), np.nan)
        high = np.where(n > 0, np.minimum(1.0, centre + half), np.nan)
    return low, high


_T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
    16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
    23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
    30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip


def t975(df: float) -> float:
    """Two-sided 95% Student t quantile (table, interpolation in 1/df, Cornish-Fisher)."""
    df = int(df)
    if df <= 0:
        return math.nan
    if df in _T975:
        return _T975[df]
    if df > 120:
        z = Z95
        return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    lower = max(d for d in _T975 if d < df)
    upper = min(d for d in _T975 if d > df)
    w = (1 / df - 1 / upper) / (1 / lower - 1 / upper)
    return _T975[upper] + w * (_T975[lower] - _T975[upper])


def mean_interval(n: np.ndarray, total: np.ndarray, total_sq: np.ndarray):
    """Vectorised mean and 95% t-interval from count, sum and sum of squares."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        var = np.maximum((total_sq - n * mean * mean) / (n - 1), 0.0)
        t = np.array([t975(v - 1) if v >= 2 else math.nan for v in n])
        half = t * np.sqrt(var / n)
    return mean, mean - half, mean + half


def newcombe(x1, n1, x2, n2):
    """Difference of proportions with Newcombe's hybrid Wilson interval (vectorised)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = wilson(x1, n1)
        l2, u2 = wilson(x2, n2)
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def two_proportion_p(x1, n1, x2, n2) -> np.ndarray:
    """Two-sided p-values of the pooled two-proportion z-test (vectorised)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.abs(x1 / n1 - x2 / n2) / se
    erfc = np.vectorize(math.erfc, otypes=[float])
    p = np.where(se == 0, 1.0, erfc(np.nan_to_num(z) / math.sqrt(2)))
    return np.where((n1 > 0) & (n2 > 0), p, np.nan)


def benjamini_hochberg(p: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Rejected hypotheses at false-discovery rate alpha (NaN never is)."""
    p = np.asarray(p, dtype=float)
    out = np.zeros(len(p), dtype=bool)
    idx = np.where(~np.isnan(p))[0]
    if len(idx) == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    passed = p[order] <= alpha * np.arange(1, len(idx) + 1) / len(idx)
    if passed.any():
        out[order[: int(np.max(np.where(passed)[0])) + 1]] = True
    return out


def small(x: Any, k: int) -> Any:
    """The simple k threshold: a count of 1..k-1 people."""
    return (x > 0) & (x < k)


# --------------------------------------------------------------------------- helpers


def _month_start(values: pd.Series) -> np.ndarray:
    """First day of the month of each date (numpy datetime64[M] arithmetic, fast)."""
    return values.to_numpy().astype("datetime64[M]")


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _withhold(df: pd.DataFrame, mask: Any, fields: list[str]) -> None:
    """Blank `fields` where mask holds and list them in the row's `suppressed`."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    for name in fields:
        if name not in df:
            continue
        if pd.api.types.is_integer_dtype(df[name]):
            df[name] = df[name].astype("Int64")
            df.loc[mask, name] = pd.NA
        else:
            df[name] = df[name].astype(float)
            df.loc[mask, name] = np.nan
    listed = df["suppressed"].to_numpy(copy=True)
    add = ",".join(fields)
    listed[mask] = [f"{s},{add}" if s else add for s in listed[mask]]
    df["suppressed"] = listed


def _window(df: pd.DataFrame, column: str, args: Mapping[str, str]) -> pd.DataFrame:
    months = pd.to_datetime(df[column])
    keep = np.ones(len(df), dtype=bool)
    if args.get("from"):
        keep &= months >= pd.Timestamp(args["from"]).replace(day=1)
    if args.get("to"):
        keep &= months <= pd.Timestamp(args["to"])
    return df[keep].assign(**{column: months[keep].dt.date})


def _rank(df: pd.DataFrame, method: str) -> pd.DataFrame:
    """Order by score (served first), with rank, rank interval and tier of served rows."""
    score, low, high = SCORE_FIELDS[method]
    served = df[df[score].notna()].sort_values([score, "question_id"], ascending=[False, True])
    withheld = df[df[score].isna()].sort_values("question_id")
    lo, hi = served[low].to_numpy(float), served[high].to_numpy(float)
    n = len(served)
    served = served.assign(
        rank=np.arange(1, n + 1),
        rank_best=1 + (lo[None, :] > hi[:, None]).sum(axis=1),
        rank_worst=n - (hi[None, :] < lo[:, None]).sum(axis=1),
    )
    tier_of = np.zeros(n, dtype=int)
    tier, i = 0, 0
    while i < n:
        tier += 1
        j = i
        while j < n and (j == i or hi[j] >= lo[i]):
            tier_of[j] = tier
            j += 1
        i = j
    served["tier"] = tier_of
    return pd.concat([served, withheld], ignore_index=True)


# --------------------------------------------------------------------------- baseline


class PandasBaseline:
    """The base tables in memory, and every interaction as filter + groupby."""

    def __init__(self, warehouse_path: str | os.PathLike[str], k: int | None = None) -> None:
        self.path = Path(warehouse_path)
        self.k = int(k if k is not None else os.environ.get("DASHBOARD_K", "11"))
        self.rss_before_bytes = rss_bytes()
        start = time.perf_counter()
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            self.tables = {name: self._load(con, name) for name in BASE_TABLES}
        finally:
            con.close()
        t = self.tables
        # Rounds that have votes (for the default round), once.
        self.voted_rounds = set(t["votes"]["round_id"].unique())
        self.members: pd.DataFrame = t["members"]
        self.votes: pd.DataFrame = t["votes"]
        self.questions: pd.DataFrame = t["questions"]
        self.rounds: pd.DataFrame = t["rounds"]
        self.comments: pd.DataFrame = t["comments"]
        self.projects: pd.DataFrame = t["projects"]
        self.enrollments: pd.DataFrame = t["enrollments"]
        self.activity: pd.DataFrame = t["activity"]
        self.load_seconds = time.perf_counter() - start
        self.rss_bytes = rss_bytes()
        self.hwm_bytes = hwm_bytes()
        self.table_bytes = {n: int(df.memory_usage(deep=True).sum()) for n, df in t.items()}
        self.rows = {n: len(df) for n, df in t.items()}

    @staticmethod
    def _load(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
        """One table into pandas; repetitive text columns as category."""
        df = con.execute(f"SELECT * FROM {name}").df()
        for col in df.columns:
            text = pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object
            if text and len(df) and df[col].nunique() <= max(1000, len(df) // 50):
                df[col] = df[col].astype("category")
        return df

    def load_stats(self) -> dict[str, Any]:
        """Load time and memory, for the results table."""
        return {
            "load_seconds": self.load_seconds,
            "rss_bytes": self.rss_bytes,
            "rss_delta_bytes": self.rss_bytes - self.rss_before_bytes,
            "hwm_bytes": self.hwm_bytes,
            "table_bytes": sum(self.table_bytes.values()),
            "rows": dict(self.rows),
        }

    # ----------------------------------------------------------------- dispatch

    def run(self, chart_id: str, args: Mapping[str, str] | None = None) -> pd.DataFrame:
        """One interaction, by the engine's chart id and filter names."""
        args = {k: v for k, v in (args or {}).items() if v not in (None, "")}
        allowed = CHART_FILTERS.get(chart_id)
        if allowed is None:
            raise KeyError(f"unknown chart {chart_id!r}")
        unknown = set(args) - set(allowed)
        if unknown:
            raise ValueError(f"{chart_id} does not take {sorted(unknown)}")
        used = [d for d in PROFILE if d in args]
        if len(used) > MAX_PROFILE_FILTERS:
            raise ValueError("at most three voter filters")
        handler = getattr(self, "_" + chart_id.replace("-", "_"))
        return handler(args)

    # ----------------------------------------------------------------- priorities

    def _round(self, round_id: str | None) -> pd.Series:
        rounds = self.rounds[self.rounds["round_id"].isin(self.voted_rounds)]
        rounds = rounds.sort_values(["closes_on", "round_id"])
        if rounds.empty:
            raise ValueError("no rounds with votes")
        if round_id is None:
            return rounds.iloc[-1]
        match = rounds[rounds["round_id"] == round_id]
        if match.empty:
            raise ValueError(f"no round {round_id!r} with votes")
        return match.iloc[0]

    def _voter_keys(self, args: Mapping[str, str]) -> pd.Series | None:
        """member_keys matching the profile filters (None: no filter)."""
        used = [d for d in PROFILE if d in args]
        if not used:
            return None
        mask = np.ones(len(self.members), dtype=bool)
        for dim in used:
            mask &= (self.members[dim] == args[dim]).to_numpy()
        return self.members.loc[mask, "member_key"]

    def _round_votes(self, rnd: pd.Series, args: Mapping[str, str]):
        """Votes of the round by the filtered voters: (all of them, those on the
        topic's questions, the round's question ids on the topic)."""
        votes = self.votes[self.votes["round_id"] == rnd["round_id"]]
        keys = self._voter_keys(args)
        votes_group = votes if keys is None else votes[votes["member_key"].isin(keys)]
        qids = votes["question_id"]
        on_topic = votes_group
        if args.get("topic"):
            topic_q = self.questions.loc[self.questions["topic"] == args["topic"], "question_id"]
            on_topic = votes_group[votes_group["question_id"].isin(topic_q)]
            qids = qids[qids.isin(topic_q)]
        return votes_group, on_topic, np.sort(qids.unique().astype(str))

    def _scores(self, rnd: pd.Series, votes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        """Per question (and `by`): count, points, rating sums, top-2 count."""
        borda = "points" in vote_method(rnd["method"]).cube_measures
        v = votes.assign(
            value_sq=votes["value"].astype("int64") ** 2,
            top2=(votes["value"] >= 4).astype("int64"),
        )
        if borda:
            v["points"] = int(rnd["max_choices"]) + 1 - v["value"].astype("int64")
            v["points_sq"] = v["points"] ** 2
        g = v.groupby(["question_id", *by], observed=True, sort=True)
        out = g.agg(
            count=("member_key", "size"),
            value_sum=("value", "sum"),
            value_sq_sum=("value_sq", "sum"),
            top2=("top2", "sum"),
        )
        if borda:
            out["points"] = g["points"].sum()
            out["points_sq"] = g["points_sq"].sum()
        return out.reset_index()

    def _score_frame(self, rnd: pd.Series, s: pd.DataFrame, voters: Any) -> pd.DataFrame:
        """Scores of each row of `s` (per-question aggregates), with the k threshold."""
        k = self.k
        count = s["count"].to_numpy(dtype=np.int64)
        voters = np.broadcast_to(np.asarray(voters, dtype=np.int64), count.shape)
        out = pd.DataFrame({"voters": voters.copy()}, index=s.index)
        out["suppressed"] = ""
        hidden = small(count, k)
        vote = vote_method(rnd["method"])
        if vote.serves_voters:  # rate rounds do not serve voters beside raters
            hidden = hidden | small(voters - count, k)
        if vote.support_base == "voters":  # pick, rank: shares of the round's voters
            label = vote.vote_count
            low, high = wilson(count, voters)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[label] = count
                out["share"] = np.where(voters > 0, count / voters, np.nan)
            out["ci_low"], out["ci_high"] = low, high
            derived = [label, "share", "ci_low", "ci_high"]
            if "points" in vote.cube_measures:  # rank: Borda points
                points = s["points"].to_numpy(float)
                mean, mlow, mhigh = mean_interval(voters, points, s["points_sq"].to_numpy(float))
                out["points"] = points
                out["mean_points"], out["mean_points_low"], out["mean_points_high"] = (
                    mean,
                    mlow,
                    mhigh,
                )
                derived += ["points", "mean_points", "mean_points_low", "mean_points_high"]
            _withhold(out, hidden, derived)
        else:
            mean, low, high = mean_interval(
                count, s["value_sum"].to_numpy(float), s["value_sq_sum"].to_numpy(float)
            )
            top2 = s["top2"].to_numpy(dtype=np.int64)
            t_low, t_high = wilson(top2, count)
            out["raters"] = count
            out["mean_rating"], out["mean_low"], out["mean_high"] = mean, low, high
            out["rated_4_or_5"] = top2
            with np.errstate(divide="ignore", invalid="ignore"):
                out["share_4_or_5"] = np.where(count > 0, top2 / count, np.nan)
            out["share_4_or_5_low"], out["share_4_or_5_high"] = t_low, t_high
            top_fields = ["rated_4_or_5", "share_4_or_5", "share_4_or_5_low", "share_4_or_5_high"]
            _withhold(out, hidden, ["raters", "mean_rating", "mean_low", "mean_high", *top_fields])
            top_hidden = ~hidden & (small(top2, k) | small(count - top2, k))
            _withhold(out, top_hidden, top_fields)
        return out

    def _question_info(self, qids: np.ndarray) -> pd.DataFrame:
        q = self.questions[self.questions["question_id"].isin(qids)]
        q = q[["question_id", "title", "topic", "status"]].astype(object)
        return q.sort_values("question_id").reset_index(drop=True)

    def _too_few(self, n_voters: int) -> str | None:
        if n_voters == 0:
            return "No members in this group voted in this round."
        if n_voters < self.k:
            return f"Too few members to show: this group has fewer than {self.k} voters."
        return None

    def _priorities(self, args: Mapping[str, str]) -> pd.DataFrame:
        rnd = self._round(args.get("round"))
        vote = vote_method(rnd["method"])
        method = args.get("method") or vote.default_score
        if method not in vote.scores:
            raise ValueError(f"method={method} does not apply to a {rnd['method']} round")
        all_votes, votes, qids = self._round_votes(rnd, args)
        n_voters = int(all_votes["member_key"].nunique())
        message = self._too_few(n_voters)
        if message:
            out = pd.DataFrame()
            out.attrs["message"] = message
            return out
        info = self._question_info(qids)
        s = self._scores(rnd, votes, [])
        s = info[["question_id"]].merge(s, on="question_id", how="left").fillna(0)
        out = pd.concat([info, self._score_frame(rnd, s, n_voters)], axis=1)
        out = _rank(out, method)
        out.attrs["round"] = str(rnd["round_id"])
        return out

    def _priorities_by_group(self, args: Mapping[str, str]) -> pd.DataFrame:
        rnd = self._round(args.get("round"))
        dim = args.get("compare") or "role"
        if dim in args:
            raise ValueError(f"cannot both filter and compare by {dim}")
        if len([d for d in PROFILE if d in args]) > 2:
            raise ValueError("compare plus at most two voter filters")
        all_votes, votes, qids = self._round_votes(rnd, args)
        # The comparison needs each vote's group: join the voters' profile.
        group_of = self.members[["member_key", dim]]
        votes = votes.merge(group_of, on="member_key")
        # Denominators: voters per group in the round (before the topic filter).
        voters = (
            all_votes[["member_key"]]
            .drop_duplicates()
            .merge(group_of, on="member_key")
            .groupby(dim, observed=True)
            .size()
        )
        order = list(PROFILE_VALUES[dim]) or sorted(map(str, voters.index))
        groups = [g for g in order if voters.get(g, 0) >= self.k]
        if len(groups) < 2:
            out = pd.DataFrame()
            out.attrs["message"] = "Too few members: at least two groups are needed to compare."
            return out
        info = self._question_info(qids)
        s = self._scores(rnd, votes, [dim])
        s[dim] = s[dim].astype(str)
        grid = pd.MultiIndex.from_product([info["question_id"], groups], names=["question_id", dim])
        s = s.set_index(["question_id", dim]).reindex(grid, fill_value=0).reset_index()
        n = s[dim].map(voters.rename(index=str)).to_numpy(dtype=np.int64)
        scores = self._score_frame(rnd, s, n)
        out = pd.concat(
            [s[[dim]].rename(columns={dim: "group"}), s[["question_id"]], scores], axis=1
        )
        out = out.merge(info, on="question_id", how="left")
        vote = vote_method(rnd["method"])
        x, t = out[vote.support_count], out[vote.support_base]
        x = x.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        t = t.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        reference = groups[0]
        is_ref = (out["group"] == reference).to_numpy()
        ref_pos = out.groupby("question_id", sort=False)["group"].transform(
            lambda g: g.index[g == reference][0]
        )
        rx, rt = x[ref_pos.to_numpy()], t[ref_pos.to_numpy()]
        d, low, high = newcombe(x, t, rx, rt)
        p = two_proportion_p(x, t, rx, rt)
        valid = ~is_ref & ~np.isnan(x) & ~np.isnan(t) & ~np.isnan(rx) & ~np.isnan(rt)
        out["reference"] = reference
        out["difference"] = np.where(valid, d, np.nan)
        out["difference_low"] = np.where(valid, low, np.nan)
        out["difference_high"] = np.where(valid, high, np.nan)
        out["p_value"] = np.where(valid, p, np.nan)
        sig = benjamini_hochberg(out["p_value"].to_numpy())
        out["significant"] = pd.array(np.where(valid, sig, False), dtype="boolean")
        out.loc[~valid, "significant"] = pd.NA
        out.attrs["round"] = str(rnd["round_id"])
        out.attrs["groups"] = groups
        return out

    def _topics(self, args: Mapping[str, str]) -> pd.DataFrame:
        rnd = self._round(args.get("round"))
        all_votes, votes, qids = self._round_votes(rnd, args)
        n_voters = int(all_votes["member_key"].nunique())
        group_hidden = n_voters == 0 or small(n_voters, self.k)
        per_q = votes.groupby("question_id", observed=True).size()
        info = self._question_info(qids)
        info["votes"] = info["question_id"].map(per_q).fillna(0).astype(np.int64)
        by_topic = info.groupby("topic").agg(
            questions=("question_id", "size"), votes=("votes", "sum")
        )
        # Comments: all time, all members, on the (topic's) questions.
        comments = self.comments
        if args.get("topic"):
            topic_q = self.questions.loc[self.questions["topic"] == args["topic"], "question_id"]
            comments = comments[comments["question_id"].isin(topic_q)]
        qtopic = self.questions.set_index("question_id")["topic"].astype(str)
        comments = comments.assign(topic=comments["question_id"].astype(str).map(qtopic))
        # A topic's commenters are distinct members across its questions.
        c_by_topic = comments.groupby("topic", observed=True).agg(
            comments=("member_key", "size"), commenters=("member_key", "nunique")
        )
        out = by_topic.join(c_by_topic, how="outer")
        out = out.fillna(0).astype(np.int64).sort_index().rename_axis("topic").reset_index()
        out["suppressed"] = ""
        _withhold(out, group_hidden | small(out["votes"], self.k), ["votes"])
        _withhold(out, small(out["comments"], self.k), ["comments"])
        _withhold(out, small(out["commenters"], self.k), ["commenters"])
        return out

    # ----------------------------------------------------------------- participation

    def _members(self, args: Mapping[str, str]) -> pd.DataFrame:
        new = self.members.groupby(["joined_month", "role"], observed=True).size()
        table = new.unstack("role", fill_value=0).reindex(columns=list(ROLES), fill_value=0)
        table = table.sort_index()
        cumulative = table.cumsum()
        table["all"], cumulative["all"] = table.sum(axis=1), cumulative.sum(axis=1)
        out = pd.DataFrame(
            {"new_members": table.stack(), "members": cumulative.stack()}
        ).reset_index()
        out.columns = ["month", "role", "new_members", "members"]
        out = _window(out, "month", args)
        if args.get("role"):
            out = out[out["role"] == args["role"]]
        out = out.reset_index(drop=True)
        out["suppressed"] = ""
        _withhold(out, small(out["new_members"], self.k), ["new_members"])
        _withhold(out, small(out["members"], self.k), ["members"])
        return out

    def _active_members(self, args: Mapping[str, str]) -> pd.DataFrame:
        a = pd.DataFrame(
            {
                "member_key": self.activity["member_key"],
                "month": _month_start(self.activity["occurred_on"]),
            }
        )
        a = a.drop_duplicates().merge(self.members[["member_key", "role"]], on="member_key")
        table = a.groupby(["month", "role"], observed=True).size().unstack("role", fill_value=0)
        table = table.reindex(columns=list(ROLES), fill_value=0).sort_index()
        table["all"] = table.sum(axis=1)
        out = table.stack().rename("active").reset_index()
        out.columns = ["month", "role", "active"]
        out = _window(out, "month", args)
        out = out[out["role"] == args["role"]] if args.get("role") else out
        out = out.reset_index(drop=True)
        out["suppressed"] = ""
        _withhold(out, small(out["active"], self.k), ["active"])
        return out

    def _retention(self, args: Mapping[str, str]) -> pd.DataFrame:
        members = self.members[["member_key", "joined_month", "role"]]
        if args.get("role"):
            members = members[members["role"] == args["role"]]
        joined = members["joined_month"].dt
        sizes = members.groupby(joined.year).size()
        a = self.activity[["member_key", "occurred_on"]].merge(members, on="member_key")
        a = a[a["occurred_on"] >= a["joined_month"]]
        occ, join = a["occurred_on"].dt, a["joined_month"].dt
        quarters = (occ.year * 4 + (occ.month - 1) // 3) - (join.year * 4 + (join.month - 1) // 3)
        a = pd.DataFrame({"member_key": a["member_key"], "cohort": join.year, "quarters": quarters})
        # "Active in year N": any activity in the first quarter of that year.
        a = a[a["quarters"] % 4 == 0].drop_duplicates()
        a["years_since_join"] = a["quarters"] // 4
        out = a.groupby(["cohort", "years_since_join"]).size().rename("active").reset_index()
        out["cohort_size"] = out["cohort"].map(sizes).astype(np.int64)
        out["share_active"] = out["active"] / out["cohort_size"]
        out = out[["cohort", "years_since_join", "cohort_size", "active", "share_active"]]
        out["suppressed"] = ""
        size_hidden = small(out["cohort_size"], self.k).to_numpy()
        _withhold(out, size_hidden, ["cohort_size", "active", "share_active"])
        active = out["active"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
        size = out["cohort_size"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
        _withhold(
            out,
            ~size_hidden & (small(active, self.k) | small(size - active, self.k)),
            ["active", "share_active"],
        )
        return out

    def _countries(self, args: Mapping[str, str]) -> pd.DataFrame:
        members = self.members
        if args.get("role"):
            members = members[members["role"] == args["role"]]
        # Every country of the network, with 0 where this role has no members.
        counts = members.groupby("country", observed=False).size()
        out = counts.rename("members").rename_axis("country").reset_index()
        out["country"] = out["country"].astype(str)
        out["suppressed"] = ""
        hidden = small(out["members"], self.k).to_numpy()
        out = out.assign(_h=hidden, _neg=-out["members"])
        out = out.sort_values(["_h", "_neg", "country"]).drop(columns=["_h", "_neg"])
        out = out.reset_index(drop=True)
        _withhold(out, small(out["members"], self.k), ["members"])
        return out

    # ----------------------------------------------------------------- projects

    def _project_ids(self, args: Mapping[str, str]) -> list[str]:
        ids = sorted(self.projects["project_id"].astype(str))
        if args.get("project"):
            if args["project"] not in ids:
                raise ValueError(f"no project {args['project']!r}")
            return [args["project"]]
        return ids

    def _enrollment(self, args: Mapping[str, str]) -> pd.DataFrame:
        ids = self._project_ids(args)
        e = self.enrollments[self.enrollments["project_id"].isin(ids)]
        step = e["stage"].map({s: i for i, s in enumerate(STAGES, start=1)})
        e = e.assign(step=step.astype(float))
        furthest = (
            e.dropna(subset=["step"])
            .groupby(["project_id", "member_key"], observed=True)["step"]
            .max()
        )
        furthest = furthest.reset_index()
        rows = []
        for i, stage in enumerate(STAGES, start=1):
            reached = furthest[furthest["step"] >= i].groupby("project_id", observed=True).size()
            counts = [int(reached.get(p, 0)) for p in ids]
            rows.append(pd.DataFrame({"project_id": ids, "stage": stage, "step": i,
                                      "members": counts}))  # fmt: skip
        withdrawn = (
            e[e["stage"] == "withdrawn"]
            .groupby("project_id", observed=True)["member_key"]
            .nunique()
        )
        rows.append(pd.DataFrame({"project_id": ids, "stage": "withdrawn", "step": 7,
                                  "members": [int(withdrawn.get(p, 0)) for p in ids]}))  # fmt: skip
        out = pd.concat(rows).sort_values(["project_id", "step"]).reset_index(drop=True)
        target = self.projects.set_index(self.projects["project_id"].astype(str))[
            "target_enrollment"
        ]
        goal = out["project_id"].map(target).astype("Float64")
        out["target_enrollment"] = goal.where(out["stage"] != "withdrawn").astype("Int64")
        enrolled = (out["stage"] == "enrolled") & (goal > 0).fillna(False)
        out["share_of_target"] = np.where(
            enrolled, out["members"] / goal.to_numpy(dtype=float, na_value=np.nan), np.nan
        )
        out = out.drop(columns="step")
        out["suppressed"] = ""
        _withhold(out, small(out["members"], self.k), ["members", "share_of_target"])
        return out

    def _accrual(self, args: Mapping[str, str]) -> pd.DataFrame:
        ids = self._project_ids(args)
        e = self.enrollments
        e = e[(e["stage"] == "enrolled") & e["project_id"].isin(ids)]
        e = pd.DataFrame({"project_id": e["project_id"].astype(str),
                          "month": _month_start(e["occurred_on"])})  # fmt: skip
        out = e.groupby(["project_id", "month"]).size().rename("enrolled").reset_index()
        out["enrolled_to_date"] = out.groupby("project_id")["enrolled"].cumsum()
        out = _window(out, "month", args).reset_index(drop=True)
        out["suppressed"] = ""
        _withhold(out, small(out["enrolled"], self.k), ["enrolled"])
        _withhold(out, small(out["enrolled_to_date"], self.k), ["enrolled_to_date"])
        return out


# --------------------------------------------------------------------------- cases


def default_cases(base: PandasBaseline) -> list[tuple[str, str, dict[str, str]]]:
    """(label, chart_id, args) of typical and worst-case interactions on this warehouse."""
    rounds = base.rounds.sort_values(["closes_on", "round_id"])
    rounds = rounds[rounds["round_id"].isin(base.voted_rounds)]
    by_method = {m: str(r["round_id"]) for _, r in rounds.iterrows() for m in [r["method"]]}
    latest = str(rounds.iloc[-1]["round_id"])
    topic = str(base.questions["topic"].astype(str).value_counts().index[0])
    project = str(sorted(base.projects["project_id"].astype(str))[0])
    f1 = {"role": "person_with_ms"}
    # One of role / MS type / MS course / voter group at a time (they overlap).
    f2 = {"ms_course": "relapsing", "sex": "female"}
    f3 = {"ms_course": "relapsing", "sex": "female", "age_band": "40-49"}
    f3b = {"sex": "female", "duration_band": "10-19", "country": "US"}
    cases: list[tuple[str, str, dict[str, str]]] = []
    for method, rid in sorted(by_method.items()):
        cases.append((f"priorities {method} unfiltered", "priorities", {"round": rid}))
    cases += [
        ("priorities 1 filter", "priorities", {"round": latest, **f1}),
        ("priorities 2 filters", "priorities", {"round": latest, **f2}),
        ("priorities 3 filters", "priorities", {"round": latest, **f3}),
        ("priorities 3 filters (country)", "priorities", {"round": latest, **f3b}),
        ("priorities topic + 2 filters", "priorities", {"round": latest, "topic": topic, **f2}),
        ("by-group role", "priorities-by-group", {"round": latest}),
        ("by-group age, 2 filters", "priorities-by-group",
         {"round": latest, "compare": "age_band", "sex": "female", "ms_course": "relapsing"}),
        ("by-group country", "priorities-by-group", {"round": latest, "compare": "country"}),
        ("topics unfiltered", "topics", {"round": latest}),
        ("topics 3 filters", "topics", {"round": latest, **f3}),
        ("members", "members", {}),
        ("members role + window", "members",
         {"role": "caregiver", "from": "2020-01-01", "to": "2024-12-31"}),
        ("active-members", "active-members", {}),
        ("retention", "retention", {}),
        ("retention role", "retention", {"role": "caregiver"}),
        ("countries", "countries", {}),
        ("enrollment", "enrollment", {}),
        ("enrollment project", "enrollment", {"project": project}),
        ("accrual", "accrual", {}),
    ]  # fmt: skip
    return cases


# --------------------------------------------------------------------------- check


def _served(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and math.isnan(value))
        and value is not pd.NA
    )


def compare_with_engine(
    warehouse_path: str | os.PathLike[str], base: PandasBaseline | None = None
) -> dict[str, int]:
    """Assert that this baseline's counts equal the engine's served (non-withheld) ones.

    Checks priorities unfiltered and filtered (voters, picks/ranked/raters and
    shares) on the latest round and a pick/rank round, topics' votes, and the
    members chart (new and cumulative members). Returns how many values were
    compared per chart.
    """
    from dashboard.config import Settings
    from dashboard.engine import Engine

    base = base or PandasBaseline(warehouse_path)
    engine = Engine(Settings.from_env(Path(warehouse_path)))
    base.k = engine.k
    checked: dict[str, int] = {}

    def check(chart: str, args: dict[str, str], key: list[str], fields: list[str]) -> None:
        ours = base.run(chart, args)
        theirs = engine.run(chart, args)
        label = f"{chart} {args}"
        if theirs.message and not theirs.rows:
            checked[label] = 0
            return
        assert not ours.empty, f"{label}: engine served rows, baseline none"
        index = {tuple(str(r[c]) for c in key): r for r in ours.to_dict("records")}
        n = 0
        for row in theirs.rows:
            mine = index.get(tuple(str(row[c]) for c in key))
            assert mine is not None, f"{label}: no baseline row for {row}"
            for f in fields:
                if f not in row or not _served(row[f]):
                    continue
                assert _served(mine[f]), f"{label}: {f} withheld by baseline, served by engine"
                if isinstance(row[f], float):
                    assert math.isclose(float(mine[f]), row[f], rel_tol=1e-9, abs_tol=1e-12), (
                        f"{label} {row[key[0]]}: {f} {mine[f]} != {row[f]}"
                    )
                else:
                    assert int(mine[f]) == int(row[f]), f"{label} {row}: {f} {mine[f]} != {row[f]}"
                n += 1
        assert n > 0, f"{label}: nothing served to compare"
        checked[label] = n

    cases = [c for c in default_cases(base) if c[1] in ("priorities", "topics", "members")]
    cases.append(("priorities caregiver", "priorities", {"role": "caregiver"}))
    for _, chart, args in cases:
        if chart == "members":
            check(chart, args, ["month", "role"], ["new_members", "members"])
        elif chart == "topics":
            check(chart, args, ["topic"], ["questions", "votes", "comments", "commenters"])
        else:
            fields = ["voters", "picks", "ranked", "raters", "rated_4_or_5", "share",
                      "ci_low", "ci_high", "points", "mean_points", "mean_rating",
                      "mean_low", "mean_high", "rank"]  # fmt: skip
            fields = [f for f in fields if f != "rank" or not any(a in args for a in PROFILE)]
            check(chart, args, ["question_id"], fields)
    return checked


# --------------------------------------------------------------------------- script


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str]) -> int:
    check = "--no-check" not in argv
    argv = [a for a in argv if not a.startswith("--")]
    default = Path(__file__).resolve().parent.parent / "data" / "warehouse.duckdb"
    path = Path(argv[0]) if argv else default
    repeat = int(argv[1]) if len(argv) > 1 else 5
    base = PandasBaseline(path)
    stats = base.load_stats()
    mb = 1024 * 1024
    print(f"warehouse {path}: rows {stats['rows']}")
    print(
        f"load {stats['load_seconds']:.2f} s, RSS {stats['rss_bytes'] / mb:.0f} MB "
        f"(+{stats['rss_delta_bytes'] / mb:.0f} MB), peak {stats['hwm_bytes'] / mb:.0f} MB, "
        f"frames {stats['table_bytes'] / mb:.0f} MB"
    )
    if check:
        checked = compare_with_engine(path, base)
        print(f"matches the engine: {sum(checked.values())} served values in {len(checked)} views")
    for label, chart, args in default_cases(base):
        times = sorted(_time(lambda c=chart, a=args: base.run(c, a), repeat))
        median = times[len(times) // 2] * 1000
        print(f"{label:36s} median {median:9.1f} ms  max {times[-1] * 1000:9.1f} ms")
    print(f"peak RSS after the interactions {hwm_bytes() / mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
