"""Accessibility in a real browser (WCAG 2.2 AA): contrast, visible focus, reflow at 200% zoom.

Many members live with MS (low vision, tremor, fatigue), so every check here is strict.
Each browser test starts one server and loops over the pages; the palette test is pure.
"""

from __future__ import annotations

import itertools
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.figures.charts import DASHES
from dashboard.figures.theme import PALETTE, PATTERNS
from dashboard.layout import NAV
from tests.pages.drawing import draw_every_chart

PAGES = ["/", "/priorities", "/projects", "/participation", "/methods"]
CHART_PAGES = ["/", "/priorities", "/projects", "/participation"]
ZOOM_200 = 640  # a 1280-px-wide window at 200% zoom, in CSS px

# Shared JS: parse any CSS colour, composite alpha, WCAG luminance and contrast ratio.
COLOUR_JS = r"""
const _canvas = document.createElement('canvas'); _canvas.width = _canvas.height = 1;
const _ctx = _canvas.getContext('2d', {willReadFrequently: true});
function parseColour(s) {
  if (!s || s === 'none') return null;
  const m = s.match(/^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/);
  if (m) {
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith('%')) a /= 100;
    return [+m[1], +m[2], +m[3], a];
  }
  // Any other syntax (color(), oklch(), names): let the canvas resolve it.
  _ctx.clearRect(0, 0, 1, 1); _ctx.fillStyle = '#000'; _ctx.fillStyle = s;
  _ctx.fillRect(0, 0, 1, 1);
  const d = _ctx.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3] / 255];
}
function over(top, bottom) {  // `top` (with alpha) composited over an opaque `bottom`
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
}
function luminance(c) {
  const lin = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}
function ratio(a, b) {
  const la = luminance(a), lb = luminance(b);
  return Math.round((Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05) * 100) / 100;
}
function hex(c) {
  return '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
}
// The opaque colour behind `el`: every semi-transparent background up the tree, over white.
function backgroundOf(el) {
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const bg = parseColour(getComputedStyle(n).backgroundColor);
    if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
  }
  let colour = [255, 255, 255, 1];
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
}
function opacityOf(el) {
  let o = 1;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    o *= parseFloat(getComputedStyle(n).opacity);
  }
  return o;
}
function describe(el) {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/)
    .filter(Boolean).slice(0, 3);
  if (cls.length) s += '.' + cls.join('.');
  const anchor = el.parentElement && el.parentElement.closest('[id]');
  return anchor ? '#' + anchor.id + ' … ' + s : s;
}
function shown(el) {  // rendered and not screen-reader-only (visually-hidden is 1x1 px)
  const cs = getComputedStyle(el);
  if (cs.visibility !== 'visible' || cs.display === 'none' || opacityOf(el) === 0) return false;
  const r = el.getBoundingClientRect();
  return r.width > 1 && r.height > 1 && r.right + scrollX > 0 && r.bottom + scrollY > 0;
}
function needed(size, weight) {  // WCAG large text: 24 px, or 18.66 px bold
  return size >= 24 || (size >= 18.66 && weight >= 700) ? 3 : 4.5;
}
"""

# Every visible element with its own text (placeholders too), outside SVG: colour vs background.
CONTRAST_JS = (
    COLOUR_JS
    + r"""
const out = [];
const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION']);
function check(el, colour, text, size, weight) {
  const bg = backgroundOf(el);
  const fg = over([colour[0], colour[1], colour[2], colour[3] * opacityOf(el)], bg);
  out.push({where: describe(el), text: text.trim().slice(0, 40), fg: hex(fg), bg: hex(bg),
            ratio: ratio(fg, bg), need: needed(size, weight)});
}
for (const el of document.body.querySelectorAll('*')) {
  if (skip.has(el.tagName) || el.closest('svg')) continue;
  const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
  const cs = getComputedStyle(el);
  if (text.trim() && shown(el)) {
    check(el, parseColour(cs.color), text, parseFloat(cs.fontSize), parseInt(cs.fontWeight));
  }
  if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value
      && shown(el)) {
    const ph = getComputedStyle(el, '::placeholder');
    check(el, parseColour(ph.color), 'placeholder: ' + el.placeholder,
          parseFloat(ph.fontSize), parseInt(ph.fontWeight));
  }
}
return out;
"""
)

# Plotly draws its text in SVG: every <text> fill against the figure's paper and plot
# backgrounds (labels sit on either), plus the resolved layout font colour.
FIGURE_JS = (
    COLOUR_JS
    + r"""
const out = [];
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  if (!shown(gd) || !gd._fullLayout) continue;
  const graph = (gd.closest('[id]') || gd).id;
  const paper = over(parseColour(gd._fullLayout.paper_bgcolor), backgroundOf(gd));
  const plotBg = gd._fullLayout.plot_bgcolor;  // maps have none: their text sits on paper
  const plot = plotBg ? over(parseColour(plotBg), paper) : paper;
  const font = over(parseColour(gd._fullLayout.font.color), paper);
  out.push({where: '#' + graph + ' layout.font.color', text: '', fg: hex(font), bg: hex(paper),
            ratio: ratio(font, paper), need: 4.5});
  for (const t of gd.querySelectorAll('text')) {
    const cs = getComputedStyle(t);
    if (!t.textContent.trim() || cs.display === 'none' || cs.visibility !== 'visible'
        || !t.getBoundingClientRect().width) continue;
    const fill = parseColour(cs.fill);
    if (!fill) continue;
    const alpha = fill[3] * parseFloat(cs.fillOpacity) * opacityOf(t);
    for (const [layer, bg] of [['paper', paper], ['plot', plot]]) {
      const fg = over([fill[0], fill[1], fill[2], alpha], bg);
      out.push({where: '#' + graph + ' text.' + (t.getAttribute('class') || '') + ' on ' + layer,
                text: t.textContent.trim().slice(0, 40), fg: hex(fg), bg: hex(bg),
                ratio: ratio(fg, bg),
                need: needed(parseFloat(cs.fontSize), parseInt(cs.fontWeight))});
    }
  }
}
return out;
"""
)

# The focused element: its focus indicator, the indicator's contrast with what surrounds it,
# its own text contrast in the focused state, and its accessible name.
FOCUS_JS = (
    COLOUR_JS
    + r"""
const el = document.activeElement;
if (!el || el === document.body) return null;
const cs = getComputedStyle(el);
const r = el.getBoundingClientRect();
const behind = backgroundOf(el.parentElement || el);
const outline = parseColour(cs.outlineColor);
const ring = outline ? over(outline, behind) : null;
const own = backgroundOf(el), colour = parseColour(cs.color);
const fg = over([colour[0], colour[1], colour[2], colour[3] * opacityOf(el)], own);
const labelled = el.getAttribute('aria-labelledby');
const name = (el.getAttribute('aria-label')
  || (labelled && labelled.split(/\s+/).map(i => (document.getElementById(i) || {}).textContent || '').join(' '))
  || (el.labels && el.labels.length ? el.labels[0].textContent : '')
  || el.innerText || el.getAttribute('title') || el.getAttribute('alt') || '').trim();
return {
  where: describe(el), id: el.id, tag: el.tagName.toLowerCase(), name: name.slice(0, 40),
  text: (el.innerText || '').trim().slice(0, 40), href: el.getAttribute('href'),
  outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth),
  ring: ring ? hex(ring) : null, behind: hex(behind), ringRatio: ring ? ratio(ring, behind) : null,
  boxShadow: cs.boxShadow, shown: shown(el),
  inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
  fg: hex(fg), bg: hex(own), textRatio: ratio(fg, own),
  need: needed(parseFloat(cs.fontSize), parseInt(cs.fontWeight)),
  rect: {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height},
  key: el.matches('#filter-panel *, summary, a[id$="-download"]'),
};
"""
)

# Page-level sideways overflow (content in its own scroll box, e.g. a data table, is allowed),
# and where each visible chart sits.
OVERFLOW_JS = r"""
const w = document.documentElement.clientWidth, out = [];
function contained(el) {
  for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
    if (getComputedStyle(n).overflowX !== 'visible' && n.getBoundingClientRect().right <= w + 1) {
      return true;
    }
  }
  return false;
}
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (!r.width || r.right <= w + 1 || contained(el)) continue;
  const p = el.parentElement.getBoundingClientRect();
  if (p.right > w + 1) continue;  // report the outermost overflowing element only
  out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' +
           String(el.className).trim().split(/\s+/).slice(0, 2).join('.') +
           ' right=' + Math.round(r.right));
}
return {scrollWidth: document.documentElement.scrollWidth, width: w, over: out.slice(0, 8),
        charts: [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.offsetParent)
          .map(g => { const r = g.getBoundingClientRect();
                      const svg = g.querySelector('.main-svg').getBoundingClientRect();
                      return {graph: (g.closest('[id]') || g).id, left: Math.round(r.left),
                              right: Math.round(Math.max(r.right, svg.right))}; })};
"""

# Chart text that collides with other chart text or the mode bar, or runs off the chart.
CHART_TEXT_JS = r"""
const overlaps = [], cut = [];
for (const gd of document.querySelectorAll('.js-plotly-plot')) {
  if (!gd.offsetParent) continue;
  const graph = (gd.closest('[id]') || gd).id;
  const boxes = [];
  for (const t of gd.querySelectorAll('text')) {
    if (!t.textContent.trim() || getComputedStyle(t).display === 'none') continue;
    const r = t.getBoundingClientRect();
    if (r.width && r.height) {
      boxes.push({what: (t.getAttribute('class') || 'text') + ' '
                        + JSON.stringify(t.textContent.trim().slice(0, 30)), r: r});
    }
  }
  const texts = boxes.length;
  const bar = gd.querySelector('.modebar-container');
  if (bar && getComputedStyle(bar).display !== 'none') {
    for (const g of bar.querySelectorAll('.modebar-group')) {
      const r = g.getBoundingClientRect();
      if (r.width && getComputedStyle(g.closest('.modebar')).opacity !== '0') {
        boxes.push({what: 'mode bar', r: r});
      }
    }
  }
  for (let i = 0; i < texts; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].r, b = boxes[j].r;
    const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (dx > 2 && dy > 2) overlaps.push(`#${graph}: ${boxes[i].what} overlaps ${boxes[j].what}`);
  }
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  for (const b of boxes.slice(0, texts)) {
    if (b.r.right > svg.right + 1 || b.r.left < svg.left - 1) cut.push(`#${graph}: ${b.what}`);
  }
}
return {overlaps: overlaps, cut: cut};
"""

NAV_JS = r"""
return [...document.querySelectorAll('.navbar a.nav-link')].map(a => {
  const r = a.getBoundingClientRect(), cs = getComputedStyle(a);
  return {href: a.getAttribute('href'),
          visible: r.width > 1 && r.height > 1 && cs.visibility === 'visible'
                   && r.left >= 0 && r.right <= document.documentElement.clientWidth + 1};
});
"""


@pytest.fixture
def started(started):
    """The shared fixture-network app (tests/conftest.py), with reduced motion on."""
    dash_duo = started
    # Many members turn on reduced motion; it also makes focus scrolling instant to measure.
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    return dash_duo


def _viewport(duo, width: int) -> None:
    """A viewport `width` CSS px wide (640 = a 1280-px window at 200% zoom)."""
    duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 800, "deviceScaleFactor": 1280 / width, "mobile": False},
    )


def _open(duo, path: str) -> None:
    """Load a page and wait until its content and every chart on it have been drawn."""
    duo.wait_for_page(url=duo.server_url + path)
    duo.wait_for_text_to_equal("#as-of", "Data as of 2026-11-01")
    duo.wait_for_element("#main h1, #methods-text")
    draw_every_chart(duo)  # each is drawn when it comes near the screen
    drawn = "return [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"  # fmt: skip
    deadline = time.monotonic() + 10
    while not duo.driver.execute_script(drawn):
        assert time.monotonic() < deadline, f"{path}: charts not drawn"
        time.sleep(0.1)
    time.sleep(0.3)  # plotly's resize pass


def _open_details(duo) -> None:
    """Open every table and embed dialog: their content is part of the page. A list drawn
    when first opened (the Overview's step lists) is opened by its summary, as a reader
    opens it, so that its links are drawn and checked too."""
    duo.driver.execute_script(
        "document.querySelectorAll('details').forEach(d => {"
        "  const s = d.querySelector(':scope > summary');"
        "  if (!d.open && s && s.id.includes('lazy-links-open')) { s.click(); }"
        "  else { d.open = true; } })"
    )
    WebDriverWait(duo.driver, 10).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('ul[id*=\"lazy-links\"]')]"
        ".every(u => u.children.length > 0)"))  # fmt: skip
    time.sleep(0.4)


def _low(rows: list[dict]) -> list[str]:
    return [
        f"{r['where']} {r['text']!r}: {r['fg']} on {r['bg']} = {r['ratio']} < {r['need']}"
        for r in rows
        if r["ratio"] < r["need"]
    ]


# -- 1. Contrast (WCAG 1.4.3) ---------------------------------------------------------------


@pytest.mark.browser
def test_text_contrast_meets_wcag_aa_on_every_page(started) -> None:
    """Every visible text (tables and embed dialogs opened) and all chart text: >= 4.5:1,
    or >= 3:1 for large text."""
    problems: list[str] = []
    for path in PAGES:
        _open(started, path)
        _open_details(started)
        rows = started.driver.execute_script(CONTRAST_JS)
        assert len(rows) > 10, f"{path}: the walk found almost no text"
        problems += [f"{path} {p}" for p in _low(rows)]
        figures = started.driver.execute_script(FIGURE_JS)
        if path in CHART_PAGES:
            assert len(figures) > 10, f"{path}: no chart text found"
        problems += [f"{path} {p}" for p in _low(figures)]
    assert not problems, "Contrast below WCAG AA:\n" + "\n".join(sorted(set(problems)))


# -- 2. Keyboard and visible focus (WCAG 2.1.1, 2.4.7, 2.4.11, 1.4.11, 4.1.2) -----------------


def _screenshot(driver, rect: dict, pad: int = 8) -> str:
    clip = {"x": max(rect["x"] - pad, 0), "y": max(rect["y"] - pad, 0),
            "width": rect["w"] + 2 * pad, "height": rect["h"] + 2 * pad, "scale": 1}  # fmt: skip
    return driver.execute_cdp_cmd("Page.captureScreenshot", {"clip": clip})["data"]


def _ring_painted(driver, rect: dict) -> bool:
    """Whether focusing the active element changes any pixel around it (not clipped away)."""
    focused = _screenshot(driver, rect)
    driver.execute_script(
        "window._a11yFocused = document.activeElement; document.activeElement.blur()"
    )
    plain = _screenshot(driver, rect)
    driver.execute_script("window._a11yFocused.focus()")  # Tab carries on from here
    return focused != plain


@pytest.mark.browser
def test_keyboard_focus_is_visible_and_reaches_every_control(started) -> None:
    """Tab through each page. Every stop is on screen, named, has a focus ring of 3:1
    against its surroundings, and keeps 4.5:1 text contrast while focused. The keyboard
    reaches every nav link, the filters, the table toggle and the download link, and on
    those the ring really is painted (the pixels around them change)."""
    driver = started.driver
    problems: list[str] = []
    for path in PAGES:
        _open(started, path)
        driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur()")
        stops: list[dict] = []
        for _ in range(70):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            info = driver.execute_script(FOCUS_JS)
            if info is None or (stops and info["where"] == stops[0]["where"]):
                break  # wrapped round to the start
            stops.append(info)
            where = f"{path} stop {len(stops)} {info['where']} {info['name']!r}"
            if not (info["shown"] and info["inView"]):
                problems.append(f"{where}: focused but not visible on screen")
            if not info["name"]:
                problems.append(f"{where}: no accessible name")
            outline = info["outlineStyle"] != "none" and info["outlineWidth"] > 0
            if not (outline or info["boxShadow"] not in ("", "none")):
                problems.append(f"{where}: no focus indicator (no outline, no box-shadow)")
            if outline and info["ringRatio"] < 3:
                problems.append(f"{where}: focus ring {info['ring']} on {info['behind']}"
                                f" = {info['ringRatio']} < 3")  # fmt: skip
            if info["text"] and info["textRatio"] < info["need"]:
                problems.append(f"{where}: focused text {info['fg']} on {info['bg']}"
                                f" = {info['textRatio']} < {info['need']}")  # fmt: skip
            if info["key"] and not _ring_painted(driver, info["rect"]):
                problems.append(f"{where}: focus ring not painted (clipped or hidden)")
        reached = " | ".join(f"{s['where']} {s['name']!r}" for s in stops)
        hrefs = {s["href"] for s in stops}
        for _, href in NAV:
            assert href in hrefs, f"{path}: keyboard never reaches the {href} link: {reached}"
        if path == "/priorities":
            ids = {s["id"] for s in stops}
            for name in ("round", "method", "topic", "who", "age_band", "sex", "compare"):
                assert f"f-{name}" in ids, f"filter f-{name} not reached: {reached}"
        if path in CHART_PAGES:
            assert any(
                s["tag"] == "summary" and s["text"] == "Show the data as a table" for s in stops
            ), f"{path}: the table toggle is not reached: {reached}"
            assert any(s["tag"] == "a" and s["id"].endswith("-download") for s in stops), (
                f"{path}: the download link is not reached: {reached}"
            )
    assert not problems, "Focus problems:\n" + "\n".join(problems)


# -- 3. Reflow and readable charts at 200% zoom (WCAG 1.4.10, 1.4.4) --------------------------


@pytest.mark.browser
def test_pages_reflow_at_200_percent_zoom(started) -> None:
    """No sideways scrolling at 100% (1280 px) or 200% zoom (640 CSS px), tables and embed
    dialogs open; at 200% charts fit, chart text never collides, and the navbar still
    reaches every page (directly or behind a working toggler)."""
    driver = started.driver
    problems: list[str] = []
    try:
        for width in (1280, ZOOM_200):
            _viewport(started, width)
            for path in PAGES:
                _open(started, path)
                where = f"{path} at {width} px"
                text = driver.execute_script(CHART_TEXT_JS)
                problems += [f"{where}: {o}" for o in text["overlaps"]]
                _open_details(started)
                info = driver.execute_script(OVERFLOW_JS)
                assert info["width"] <= width, info
                if info["scrollWidth"] > info["width"] + 1:
                    problems.append(f"{where}: scrolls sideways ({info['scrollWidth']} >"
                                    f" {info['width']} px): {info['over']}")  # fmt: skip
                if width != ZOOM_200:
                    continue
                if path in CHART_PAGES:
                    assert info["charts"], f"{where}: no charts drawn"
                for c in info["charts"]:
                    if c["left"] < 0 or c["right"] > info["width"] + 1:
                        problems.append(f"{where}: chart {c} does not fit")
                links = driver.execute_script(NAV_JS)
                if not all(link["visible"] for link in links):
                    toggler = driver.find_element("css selector", ".navbar-toggler")
                    assert toggler.is_displayed(), f"{where}: nav links hidden and no toggler"
                    toggler.click()
                    time.sleep(0.6)  # bootstrap's collapse transition
                    links = driver.execute_script(NAV_JS)
                shown = {link["href"] for link in links if link["visible"]}
                missing = [href for _, href in NAV if href not in shown]
                if missing:
                    problems.append(f"{where}: the navbar shows no link to {missing}")
        # The links work at this size too.
        driver.find_element("css selector", '.navbar a.nav-link[href="/priorities"]').click()
        started.wait_for_element("#filter-panel")
        assert driver.current_url.endswith("/priorities")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not problems, "Reflow problems:\n" + "\n".join(problems)


@pytest.mark.browser
def test_chart_text_stays_inside_charts_at_200_percent_zoom(started) -> None:
    """At 200% zoom no title, label or legend text runs off the edge of its chart."""
    _viewport(started, ZOOM_200)
    cut: list[str] = []
    for path in CHART_PAGES:
        _open(started, path)
        cut += [f"{path}: {c}" for c in started.driver.execute_script(CHART_TEXT_JS)["cut"]]
    assert not cut, "Chart text cut off at 640 px:\n" + "\n".join(cut)


# -- 4. Palette: colour-blind safe and still apart in greyscale -----------------------------

OKABE_ITO = {  # Okabe & Ito (2008), "Color Universal Design": safe for the common CVDs
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
}  # fmt: skip
GREY_STEP = 0.1  # relative-luminance difference that still reads apart in greyscale


def _luminance(colour: str) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_palette_is_okabe_ito_and_apart_in_greyscale() -> None:
    """The colourway is Okabe-Ito, ordered so that series shown together differ in greyscale:
    neighbours (next to each other in a legend or bar group), every pair among the first
    four (most charts: tiers, roles, MS course) and lines that share a dash style (i, i+4)
    differ by >= 0.1 in relative luminance. Beyond that, bars differ by pattern."""
    assert len(PALETTE) == len(set(PALETTE)) == 8
    assert {c.upper() for c in PALETTE} == OKABE_ITO
    lum = [_luminance(c) for c in PALETTE]
    n = len(PALETTE)
    pairs = {
        "neighbours": [(i, (i + 1) % n) for i in range(n)],
        "first four": list(itertools.combinations(range(4), 2)),
        "same dash": [(i, (i + len(DASHES)) % n) for i in range(n)],
    }
    close = [
        f"{kind}: {PALETTE[i]} ({lum[i]:.3f}) / {PALETTE[j]} ({lum[j]:.3f})"
        for kind, found in pairs.items()
        for i, j in found
        if abs(lum[i] - lum[j]) < GREY_STEP
    ]
    assert not close, "Too close in greyscale:\n" + "\n".join(close)
    assert len(set(PATTERNS)) == len(PATTERNS) >= n  # every bar series has its own texture
