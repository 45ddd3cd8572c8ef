"""The public charts in Spanish: every word of ours translated, member text as written.

A public chart's summary and figure are built inside `language("es")` (dashboard/public
/charts.py view). These tests take the English message ids the figure and summary code
marks (extracted as pybabel does) and fail when any of them still shows in a Spanish view
of a public chart, so a string someone forgot to wrap in `_()` is caught. English output
is pinned to hand-checked strings: translation must not change it.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from dashboard import words
from dashboard.figures import chart_figures as cf
from dashboard.figures import charts, summaries
from dashboard.filters import Filters
from dashboard.i18n import LOCALE_DIR, language
from dashboard.insights import pipeline, projects
from dashboard.insights.result import WITHHELD, WITHHELD_GROUP, WITHHELD_NOTE, ChartResult
from dashboard.insights.vote_methods import MEAN, POINTS, SHARE, SHARE_4_OR_5
from dashboard.public import charts as public

ROOT = Path(__file__).resolve().parents[2]
# Where the public charts' figures and summaries get their words.
SOURCES = ("dashboard/figures/summaries.py", "dashboard/figures/chart_figures.py",
           "dashboard/figures/charts.py", "dashboard/words.py")  # fmt: skip
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\{[^}]*\}|\{[^}]*\}")
SPANISH = "retenido"


@cache
def catalog() -> Any:
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="es")


@cache
def marked_ids() -> tuple[str, ...]:
    """Every message id (singular and plural) the figure and summary code marks."""
    found: list[str] = []
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", ROOT / source, keywords=KEYWORDS
        ):
            found += [message] if isinstance(message, str) else [m for m in message if m]
    assert len(found) > 100, "the extraction found too few of the figures' messages"
    return tuple(dict.fromkeys(found))


@cache
def english_ids() -> tuple[str, ...]:
    """The marked ids and every id in the catalog (so text that lost its `_()` is known)."""
    found = list(marked_ids())
    for message in catalog():
        if message.id:
            found += [message.id] if isinstance(message.id, str) else list(message.id)
    return tuple(dict.fromkeys(found))


def fragments(message: str) -> list[str]:
    """The words of a message between its placeholders: what must not show in Spanish."""
    parts = (p.strip(" .,;:()") for p in PLACEHOLDER.split(message))
    return [p for p in parts if len(p) >= 4 and re.search(r"[A-Za-z]{3}", p)]


def figure_texts(fig: go.Figure | dict) -> list[str]:
    """Everything a reader can read on a figure: titles, axes, annotations, legend, hovers."""
    layout = fig["layout"] if isinstance(fig, dict) else fig.to_plotly_json()["layout"]
    data = fig["data"] if isinstance(fig, dict) else fig.to_plotly_json()["data"]
    out: list[Any] = []
    title = layout.get("title") or {}
    out += [title.get("text"), (title.get("subtitle") or {}).get("text")]
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")):
            out.append((axis.get("title") or {}).get("text"))
            out += list(axis.get("ticktext") or ())
    for note in layout.get("annotations") or ():
        out += [note.get("text"), note.get("hovertext")]
    for trace in data:
        out += [trace.get("name"), trace.get("hovertemplate")]
        for key in ("text", "hovertext", "x", "y"):
            value = trace.get(key)
            if isinstance(value, str):
                out.append(value)
            elif value is not None and not hasattr(value, "dtype"):
                out += [v for v in value if isinstance(v, str)]
    return [str(v) for v in out if v]


def written_texts(engine: Any) -> list[str]:
    """Text the network wrote (questions, topics, rounds, projects, events): kept as is."""
    texts = [r.name for r in engine.rounds()]
    for row in engine.run("question-trail", {}).rows:
        texts += [str(row.get(k) or "") for k in ("title", "topic", "project_title")]
    for event in engine.run("members", {}).context.get("events") or ():
        label = str(event["label"])
        texts += [label, label[: cf.LABEL_CHARS - 1]]  # whole in hovers, cut on the chart
    texts += [str(r.get("title") or "") for r in engine.run("projects", {}).rows]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def written(engine: Any) -> str:
    texts = written_texts(engine)
    return "\n".join(texts + [html.escape(t) for t in texts])


def without_written(text: str, engine: Any) -> str:
    """A view's text with the network's own words taken out (labels unwrapped first)."""
    text = html.unescape(text.replace("<br>", " "))
    for kept in written_texts(engine):
        text = text.replace(kept, " ")
    return text


# Words any English sentence of ours needs and no Spanish one has.
ENGLISH_WORDS = re.compile(r"\b(the|of|and|are|is|with|to|for|by|from|more|this|that|who)\b",
                           re.IGNORECASE)  # fmt: skip


@cache
def spanish_views(engine: Any) -> list[tuple[str, Filters, public.PublicView]]:
    return [(chart_id, filters, public.view(engine, chart_id, filters, "es"))
            for chart_id in public.PUBLIC_FILTERS
            for filters in public.combinations(engine, chart_id)]  # fmt: skip


def test_every_translated_message_keeps_its_placeholders() -> None:
    """{name} and plotly's %{...} survive translation, in every plural form."""
    checked = 0
    for message in catalog():
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = {p for m in ids for p in PLACEHOLDER.findall(m)}
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (message.id, form)
            checked += 1
    assert checked > 100


def test_every_message_of_the_figures_is_translated_in_all_three_plural_forms() -> None:
    cat = catalog()
    for message_id in marked_ids():
        found = cat.get(message_id) or next(
            (m for m in cat if isinstance(m.id, tuple) and message_id in m.id), None
        )
        assert found is not None, f"not in the catalog: {message_id!r}"
        forms = [found.string] if isinstance(found.string, str) else list(found.string)
        assert forms and all(forms), f"untranslated: {message_id!r}"
        assert "fuzzy" not in found.flags, message_id
        if isinstance(found.id, tuple):
            assert len(forms) == 3, message_id  # Spanish in CLDR: one, many, other


def test_the_data_layer_text_marked_here_matches_its_source() -> None:
    """DATA_TEXT repeats English defined elsewhere; a change there must show up here."""
    marked = set(charts.DATA_TEXT)
    assert {WITHHELD, WITHHELD_NOTE, WITHHELD_GROUP} <= marked
    assert set(pipeline.STEP_LABELS.values()) <= marked
    assert {*projects.STAGE_ORDER, "withdrawn"} <= marked
    assert {s.axis_title for s in (SHARE, POINTS, MEAN, SHARE_4_OR_5)} <= marked
    # the pipeline's per-step counts say the step as its label does, lower-case
    with language("en"):
        steps = [summaries._at_step({"step": s, "label": label, "questions": 2})
                 for s, label in pipeline.STEP_LABELS.items()]  # fmt: skip
    assert steps == [f"2 {label.lower()}" for label in pipeline.STEP_LABELS.values()]


def test_spanish_public_views_show_no_english_words_of_ours(engine) -> None:
    """Summary and every figure text of every public chart and filter set, in Spanish."""
    kept = written(engine)
    checks = {f for m in english_ids() for f in fragments(m) if f not in kept}
    assert len(checks) > 100  # the extraction found the figures' messages
    views = spanish_views(engine)
    assert {c for c, _, _ in views} == set(public.PUBLIC_FILTERS)
    for chart_id, filters, view in views:
        shown = "\n".join([view.summary, *figure_texts(view.figure)])
        left = sorted(f for f in checks if re.search(rf"(?<![A-Za-z]){re.escape(f)}", shown))
        assert not left, (chart_id, filters.to_query(), left, shown[:500])
        assert not re.search(r"\bwithheld\b", shown, re.IGNORECASE), (chart_id, filters)
        english = ENGLISH_WORDS.findall(without_written(shown, engine))
        assert not english, (chart_id, filters.to_query(), english, shown[:500])


def test_spanish_views_show_withheld_values_as_the_word_never_a_number(engine) -> None:
    seen = 0
    for chart_id, filters, view in spanish_views(engine):
        fig = view.figure.to_plotly_json()
        for trace in fig["data"]:
            if trace.get("name") == SPANISH:  # priorities, topics: a text mark, never a dot
                assert set(trace["text"]) == {SPANISH}
                seen += 1
        if chart_id == "enrollment" and fig["data"]:
            bars = fig["data"][0]
            values = [r["members"] for r in view.result.rows
                      if filters.project or r["stage"] == "enrolled"]  # fmt: skip
            for value, text in zip(values, bars["text"], strict=True):
                if value is None:
                    assert text == SPANISH
                    seen += 1
                else:
                    assert text != SPANISH and not re.search(r"[A-Za-z]", text)
    assert seen  # the fixture has withheld values on public charts


def test_member_written_text_stays_as_written(engine) -> None:
    """Question titles and topics are the members' words: in Spanish views, unchanged."""
    checked = 0
    for chart_id, filters, view in spanish_views(engine):
        if chart_id not in ("priorities", "topics") or view.result.message:
            continue
        field = "title" if chart_id == "priorities" else "topic"
        notes = [html.unescape(str(a.text).replace("<br>", " "))
                 for a in view.figure.layout.annotations]  # fmt: skip
        for row in view.result.rows:
            text = row.get(field)
            if chart_id == "priorities":
                assert text in notes, (filters, text)
            else:
                assert any(n.startswith(f"{text} (") for n in notes), (filters, text)
            checked += 1
        served = [r for r in view.result.rows if r.get("rank" if field == "title" else "support")]
        if served:
            assert re.search(r"«[^»]+»", view.summary)
            quoted = re.search(r"«([^»]+)»", view.summary).group(1)
            assert quoted in {str(r[field]) for r in view.result.rows}
    assert checked > 10


def test_spanish_titles_keep_round_names_as_written(engine) -> None:
    names = {r.round_id: r.name for r in engine.rounds()}
    for chart_id in ("priorities", "topics"):
        for round_id, name in names.items():
            view = public.view(engine, chart_id, Filters(round=round_id), "es")
            title = view.figure.layout.title
            assert name in f"{title.text}: {title.subtitle.text}"
            assert title.text.startswith(("Prioridades de investigación de todos los votantes",
                                          "Apoyo por tema entre todos los votantes"))  # fmt: skip


def test_spanish_hovers_keep_plotly_placeholders(engine) -> None:
    view = public.view(engine, "pipeline", Filters(), "es")
    template = view.figure.data[0].hovertemplate
    assert template == "%{x}: %{y} preguntas están ahora en este paso<extra></extra>"
    assert view.figure.layout.separators == ",."  # plotly's own numbers: 1.234,5
    assert public.view(engine, "pipeline", Filters(), "en").figure.layout.separators is None


def _result(chart: str, rows: list[dict], **context: Any) -> ChartResult:
    return ChartResult(chart=chart, title="From question to result: the five steps",
                       method="questions", filters=Filters(), build_id="b", as_of="2026-11-01",
                       k=11, columns=[], count_fields=frozenset(), rows=rows,
                       context=context)  # fmt: skip


def _pipeline_rows() -> list[dict]:
    counts = (12345, 2000, 1500, 1200, 1001)
    return [{"step": s, "label": label, "questions": n, "moved_on": 4321,
             "median_days_to_next": 1234.0}
            for (s, label), n in zip(pipeline.STEP_LABELS.items(), counts, strict=True)]  # fmt: skip


def test_numbers_of_a_thousand_or_more_take_the_readers_format() -> None:
    result = _result("pipeline", _pipeline_rows(), archived=1000)
    with language("en"):
        english = summaries.pipeline(result)
        english_fig = figure_texts(cf.pipeline(result, "embed"))
    with language("es"):
        spanish = summaries.pipeline(result)
        spanish_fig = figure_texts(cf.pipeline(result, "embed"))
    assert english == ("18,046 questions: 12,345 asked, 2,000 discussed, 1,500 prioritized, "
                       "1,200 studied, 1,001 results shared; 2,201 led to a study "
                       "(1,000 more archived).")  # fmt: skip
    assert spanish == ("18.046 preguntas: 12.345 planteadas, 2.000 debatidas, 1.500 "
                       "priorizadas, 1.200 estudiadas, 1.001 con resultados compartidos; 2.201 "
                       "llevaron a un estudio (archivadas aparte: 1.000).")  # fmt: skip
    assert "12,345 now" in english_fig and "12.345 ahora" in spanish_fig
    assert "4.321 avanzaron<br>mediana: 1.234 días hasta el paso siguiente" in spanish_fig
    assert not any(re.search(r"\d,\d{3}", t) for t in spanish_fig)


def test_enrollment_and_voters_in_spanish_formats() -> None:
    rows = [{"project_id": "P9", "stage": "invited", "members": 23456,
             "target_enrollment": 2500, "share_of_target": None},
            {"project_id": "P9", "stage": "enrolled", "members": 1234,
             "target_enrollment": 2500, "share_of_target": 0.49},
            {"project_id": "P9", "stage": "withdrawn", "members": None,
             "target_enrollment": 2500, "share_of_target": None}]  # fmt: skip
    result = ChartResult(chart="enrollment", title="Enrollment funnel by project",
                         method="m", filters=Filters(project="P9"), build_id="b",
                         as_of="2026-11-01", k=11, columns=[], count_fields=frozenset(),
                         rows=rows)  # fmt: skip
    with language("es"):
        assert summaries.enrollment(result) == (
            "P9: 1.234 miembros inscritos de un objetivo de 2.500."
        )
        bars = cf.enrollment(result, "embed").data[0]
    assert list(bars.x) == ["invitados", "inscritos", "se retiraron"]
    assert list(bars.text) == ["23.456", "1.234", SPANISH]
    with language("en"):
        assert summaries.enrollment(result) == "P9: 1,234 members enrolled of a target of 2,500."
        assert list(cf.enrollment(result, "embed").data[0].text) == ["23,456", "1,234", WITHHELD]


def test_spanish_dates_and_event_counts() -> None:
    import datetime as dt

    with language("es"):
        assert cf.date_span(dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == "1–30 abr 2026"
        assert cf.date_span(dt.date(2025, 12, 1), dt.date(2026, 1, 31)) == "1 dic 2025–31 ene 2026"
        assert cf._counted(1, "newsletter") == "1 boletín"
        assert cf._counted(3, "webinar") == "3 seminarios web"
    with language("en"):
        assert cf.date_span(dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == "1–30 Apr 2026"
        assert cf._counted(1, "newsletter") == "1 newsletter"


def test_english_views_are_as_they_were(engine) -> None:
    """Hand-checked English on the fixture: translation changed none of it."""

    def en(chart_id: str, **args: str) -> public.PublicView:
        return public.view(engine, chart_id, Filters(**args), "en")

    assert en("pipeline").summary == (
        "4 questions: 1 asked, 0 discussed, 2 prioritized, 1 studied, 0 results shared; "
        "1 led to a study (1 more archived).")  # fmt: skip
    assert en("priorities", round="R1").summary == (
        "Among all voters, “Can remyelination therapies slow progression?” comes first among "
        "the questions that can be shown (61% chose it); 1 more is statistically tied with it. "
        "1 of 3 questions are withheld to protect privacy.")  # fmt: skip
    assert en("topics", round="R1").summary.endswith(
        "drew the most support (61% of voter-question pairs, 95% interval 45%-75%). "
        "1 of 3 topics are withheld.")  # fmt: skip
    assert en("projects").summary == (
        "3 projects: 1 in progress, 1 results available, 1 in development."
    )
    assert en("members", role="caregiver").summary.startswith(
        "12 members (caregiver) as of 2020-06-01."
    )
    assert en("priorities", role="other").summary == WITHHELD_GROUP
    pipe = en("pipeline").figure
    assert pipe.data[0].hovertemplate == "%{x}: %{y} questions are at this step now<extra></extra>"
    assert list(pipe.data[0].x) == list(pipeline.STEP_LABELS.values())
    assert pipe.layout.title.text == "From question to result: the five steps"
    funnel = en("enrollment", project="P1").figure.data[0]
    assert WITHHELD in funnel.text
    assert funnel.x[0] == "invited"
    lines = en("members").figure
    assert {t.name for t in lines.data} >= {"all members", "caregivers"}  # roles in words
    assert words.quoted("a  question") == "“a question”"


def _timeline(chart: str, field: str) -> ChartResult:
    import datetime as dt

    months = [dt.date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(1, 31)]
    out = ChartResult(chart, "Monthly active members, by role", "m", Filters(), "b",
                      "2026-11-01", 11, [], frozenset())  # fmt: skip
    out.rows = [{"month": m, "role": r, field: 1000 + 10 * i}
                for i, m in enumerate(months) for r in ("all", "caregiver")]  # fmt: skip
    events = [{"kind": "round", "label": "2025 priorities: rate", "round_id": "R7",
               "starts_on": dt.date(2025, 3, 1), "ends_on": dt.date(2025, 3, 31)},
              {"kind": "campaign", "label": "Winter drive", "round_id": None,
               "starts_on": dt.date(2025, 3, 5), "ends_on": dt.date(2025, 3, 20)}]  # fmt: skip
    events += [{"kind": "newsletter", "label": f"News {m:%b %Y}", "round_id": None,
                "starts_on": m, "ends_on": None} for m in months]  # fmt: skip
    out.context["events"] = events
    return out


@pytest.mark.parametrize(("builder", "say", "chart", "field"), [
    (cf.active_members, summaries.active_members, "active-members", "active"),
    (cf.members, summaries.members, "members", "members"),
])  # fmt: skip
def test_time_series_rounds_and_events_in_spanish(builder, say, chart, field) -> None:
    result = _timeline(chart, field)
    with language("es"):
        summary, fig = say(result), builder(result, "embed")
    with language("en"):
        english = say(result)
    assert english.endswith("Rounds are shaded; the latest shown, 2025 priorities, "
                            "ran 1–31 Mar 2025.")  # fmt: skip
    assert summary.endswith("Las rondas aparecen sombreadas; la última que se muestra es "
                            "2025 priorities (1–31 mar 2025).")  # fmt: skip
    assert summary.startswith("1.290 miembros")  # the latest month, in Spanish format
    texts = figure_texts(fig)
    assert "2025 priorities: rate (ronda de priorización): 1–31 mar 2025" in texts
    assert "Campaña: Winter drive, 5–20 mar 2025" in texts
    assert any(t.startswith("No se marcan en este periodo: 30 boletines.") for t in texts)
    assert {t.name for t in fig.data} == {"todos los miembros", "cuidadores"}
    shown = without_written_words("\n".join([summary, *texts]))
    assert not ENGLISH_WORDS.findall(shown), shown


def without_written_words(text: str) -> str:
    for kept in ("2025 priorities: rate", "2025 priorities", "Winter drive"):
        text = text.replace(kept, " ")
    return re.sub(r"News \w+ \d{4}", " ", text)


def test_priorities_title_counts_voters_in_the_readers_format() -> None:
    row = {"question_id": "Q1", "title": "Can diet help fatigue?", "share": 0.4, "ci_low": 0.35,
           "ci_high": 0.45, "tier": 1, "rank": 1, "rank_best": 1, "rank_worst": 2}  # fmt: skip
    result = ChartResult(chart="priorities", title="Research priorities of caregivers: R9",
                         method="share", filters=Filters(role="caregiver"), build_id="b",
                         as_of="2026-11-01", k=11, columns=[], count_fields=frozenset(),
                         rows=[row], context={"voters": 1234})  # fmt: skip
    with language("en"):
        english = cf.priorities(result, "embed")
    with language("es"):
        spanish = cf.priorities(result, "embed")
        said = summaries.priorities(result)
    assert english.layout.title.subtitle.text == "R9 · 1,234 voters"
    assert spanish.layout.title.text == "Prioridades de investigación de cuidadores"
    assert spanish.layout.title.subtitle.text == "R9 · 1.234 votantes"
    assert said == ("Entre cuidadores, «Can diet help fatigue?» ocupa el primer lugar (la eligió "
                    "el 40\u00a0%), claramente por delante del resto.")  # fmt: skip
    assert spanish.data[0].hovertext[0].endswith(
        "Proporción de votantes que la eligieron: 40\u00a0% (intervalo del 95 %: "
        "35\u00a0%-45\u00a0%)<br>puesto posible: del 1 al 2")  # fmt: skip
