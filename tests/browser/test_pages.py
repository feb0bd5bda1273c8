"""Every page of the built book in a real browser (headless Debian Chromium, Playwright).

For every page in `_toc.yml` (so new chapters are covered without edits), served
from `_build/html` (or `BOOK_HTML`: browser_support.py) on localhost with every request
outside localhost refused:

* the page loads with no JavaScript console error, no uncaught exception and no
  failed request (a request to the internet counts as failed);
* every plotly figure has drawn its SVG with data traces; every embedded widget
  view has rendered its saved state;
* notebook pages link *Open in Colab* to their own notebook in the repository;
* axe-core finds no accessibility violation of impact "serious" or "critical",
  and every image and figure has a text alternative;
* at the 1280 px window no code block scrolls sideways (code cells and code in the
  prose), no printed output does (it folds its long lines: `_static/code-width.css`), a
  table wider than the column scrolls inside its own box, and the page itself is no
  wider than the window;
* a full-page screenshot goes to `_build/screenshots/`.

Then: the search page finds a word that only one chapter has, and, opened from
`file://` with the browser offline, every plotly figure still renders.
The live panels (Pyodide) have their own test: test_pages_live_panels.py.

Run alone (after `bash scripts/build_book.sh`): `bash scripts/browser_test.sh`.
Skipped when the book is not built, unless REQUIRE_BUILT_BOOK=1 (scripts/test.sh).
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

import pytest
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts"))
from browser_support import (AXE, HTML, ROOT, SHOTS, TOC,  # noqa: E402
                             new_page, require_built_book)
from editions.reader import toc_files  # noqa: E402  (the one reader of _toc.yml)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

require_built_book()

PAGES = toc_files(TOC)


def colab_url(file: str) -> str:
    repo = CONFIG["repository"]
    path = repo["url"].rstrip("/").replace("https://github.com/", "")
    prefix = (repo.get("path_to_book") or "").strip("/")
    prefix = f"{prefix}/" if prefix else ""
    return (f"{CONFIG['launch_buttons']['colab_url'].rstrip('/')}/github/{path}/blob/"
            f"{repo.get('branch', 'main')}/{prefix}{file}.ipynb")


@pytest.fixture(scope="module", autouse=True)
def fresh_screenshots():
    """Screenshots of this run only (none left from pages no longer in the book)."""
    for old in SHOTS.glob("*.png"):
        old.unlink()


PLOTLY_STATE_JS = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
    id: d.id,
    svg: !!d.querySelector('svg.main-svg'),
    traces: d.querySelectorAll('g.trace, g.hm, .pielayer .slice, g.table').length,
    data: Array.isArray(d.data) ? d.data.length : 0,
    label: d.getAttribute('aria-label') || '',
}))"""

WAIT_PLOTLY_JS = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .every(d => d.querySelector('svg.main-svg') && d._fullLayout)"""

WIDGETS_JS = """() => Array.from(document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')).map(s => {
    const area = s.previousElementSibling;
    const ok = !!area && area.classList.contains('widget-subarea');
    return {
        model: JSON.parse(s.textContent).model_id,
        rendered: ok && area.querySelector('.jupyter-widgets, .lm-Widget') !== null,
        height: ok ? area.getBoundingClientRect().height : 0,
        text: ok ? area.innerText.slice(0, 200) : '',
    };
})"""

WAIT_WIDGETS_JS = """() => Array.from(document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')).every(s => {
    const area = s.previousElementSibling;
    return area && area.classList.contains('widget-subarea')
        && area.querySelector('.jupyter-widgets, .lm-Widget') !== null;
})"""

ALT_JS = """() => {
    const problems = [];
    for (const img of document.querySelectorAll('main img, article img, .bd-content img')) {
        const alt = (img.getAttribute('alt') || '').trim();
        const file = (img.getAttribute('src') || '').split('/').pop();
        if (!alt || alt === file || alt.endsWith(file) || /\\.(png|jpe?g|svg|gif)$/i.test(alt))
            problems.push('img without a text alternative: ' + (img.getAttribute('src') || '').slice(0, 80));
        else if (img.complete && img.naturalWidth === 0)
            problems.push('img did not load: ' + img.getAttribute('src'));
    }
    for (const fig of document.querySelectorAll('figure')) {
        const cap = fig.querySelector('figcaption');
        if (!(cap && cap.innerText.trim()) && !fig.getAttribute('aria-label'))
            problems.push('figure without a caption: ' + fig.outerHTML.slice(0, 80));
    }
    for (const d of document.querySelectorAll('.plotly-graph-div'))
        if (!(d.getAttribute('aria-label') || '').trim())
            problems.push('plotly figure without aria-label: ' + d.id);
    return problems;
}"""


# What scrolls sideways at the test's window. A block counts as too wide when its content is
# more than one pixel wider than its box (rounding). Code and printed output must fit; an
# HTML table may be wider if the box around it scrolls (overflow-x auto or scroll).
CODE_FIT_JS = """() => {
    const problems = [];
    const longest = pre => pre.innerText.split('\\n').reduce((a, b) => b.length > a.length ? b : a, '');
    for (const pre of document.querySelectorAll('article pre')) {
        const over = pre.scrollWidth - pre.clientWidth;
        if (over <= 1) continue;
        const kind = pre.closest('.cell_output') ? 'printed output'
            : pre.closest('.cell_input') ? 'code cell' : 'code in the prose';
        problems.push(`${kind} scrolls sideways (${over} px too wide for its ${pre.clientWidth} px): `
            + JSON.stringify(longest(pre).slice(0, 120)));
    }
    const edge = document.querySelector('article').getBoundingClientRect().right;
    for (const table of document.querySelectorAll('article .cell_output table')) {
        let box = table.parentElement, scrolls = false;
        while (box && !box.matches('article')) {
            if (/(auto|scroll)/.test(getComputedStyle(box).overflowX)
                && box.scrollWidth > box.clientWidth - 1) { scrolls = true; break; }
            if (box.classList.contains('cell_output')) break;
            box = box.parentElement;
        }
        const right = table.getBoundingClientRect().right;
        if (right > edge + 1 && !scrolls)
            problems.push(`table runs ${Math.round(right - edge)} px past the column and its box does `
                + `not scroll: ${JSON.stringify(table.innerText.slice(0, 80))}`);
    }
    const page = document.scrollingElement;
    if (page.scrollWidth > page.clientWidth + 1)
        problems.push(`the page is ${page.scrollWidth - page.clientWidth} px wider than the window`);
    return problems;
}"""


def embedded_widget_models(html: str) -> list[dict]:
    """The widget models saved in the page (MyST-NB embeds the notebook's widget state)."""
    m = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                  html, re.S)
    return list(json.loads(m.group(1))["state"].values()) if m else []


def wait_rendered(page, timeout=30_000):
    page.wait_for_function(WAIT_PLOTLY_JS, timeout=timeout)
    page.wait_for_function(WAIT_WIDGETS_JS, timeout=timeout)
    # MathJax typesets asynchronously; screenshots and axe should see the result
    page.evaluate("async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
                  " await MathJax.startup.promise; }")


def assert_plotly_rendered(page, file):
    figures = page.evaluate(PLOTLY_STATE_JS)
    bad = [f for f in figures if not (f["svg"] and f["traces"] > 0 and f["data"] > 0)]
    assert not bad, f"{file}: plotly figures not drawn: {bad}"
    return figures


@pytest.mark.parametrize("file", PAGES)
def test_page_in_the_browser(browser, server, file):
    context, page, log = new_page(browser, (server,))
    problems = []   # every check runs; the test reports all that failed
    try:
        page.goto(f"{server}/{file}.html", wait_until="load")
        try:
            wait_rendered(page)
        except Exception as err:  # reported below with the details
            problems.append(f"figures or widgets did not finish rendering: {err}")
        page.wait_for_load_state("networkidle")

        figures = page.evaluate(PLOTLY_STATE_JS)
        problems += [f"plotly figure not drawn: {f}" for f in figures
                     if not (f["svg"] and f["traces"] > 0 and f["data"] > 0)]
        widgets = page.evaluate(WIDGETS_JS)
        problems += [f"widget view not rendered: {w}" for w in widgets
                     if not (w["rendered"] and w["height"] > 0)
                     or re.search(r"Error displaying widget|Failed to load", w["text"])]
        # the initial state is what is shown: every integer slider's saved value is on a readout
        readouts = page.eval_on_selector_all(".widget-readout", "els => els.map(e => e.innerText)")
        for model in embedded_widget_models(page.content()):
            if model["model_name"] == "IntSliderModel" and model["state"].get("readout", True):
                value = str(model["state"]["value"])
                if value not in readouts:
                    problems.append(f"slider {model['state'].get('description')!r} does not "
                                    f"show its saved value {value} (readouts: {readouts})")

        if (ROOT / f"{file}.ipynb").exists():
            hrefs = page.eval_on_selector_all(
                "a[href*='colab.research.google.com']", "els => els.map(e => e.href)")
            if set(hrefs) != {colab_url(file)}:
                problems.append(f"Open-in-Colab links {hrefs}, expected {colab_url(file)}")

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{file.replace('/', '__')}.png"), full_page=True)

        problems += page.evaluate(ALT_JS)
        problems += page.evaluate(CODE_FIT_JS)

        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})")
        problems += [
            f"accessibility [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
            + "; ".join(f"{n['target']} {n.get('failureSummary', '')[:200]!r}"
                        for n in v["nodes"][:4]) + ")"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]

        problems += [f"JavaScript error: {e}" for e in log.errors]
        problems += [f"failed request: {r}" for r in log.failed]
        problems += [f"request outside the book: {u}" for u in log.blocked]
        print(f"{file}: {len(figures)} plotly figures, {len(widgets)} widget views")
    finally:
        context.close()
    assert not problems, f"{file}:\n  " + "\n  ".join(problems)


def _unique_search_word() -> tuple[str, str]:
    """A word of one chapter's text that Sphinx's search index has for that page only."""
    import snowballstemmer
    from bs4 import BeautifulSoup

    text = (HTML / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    docnames = index["docnames"]
    stem = snowballstemmer.stemmer("porter").stemWord
    titleterms = index.get("titleterms", {})
    chapters = [f for f in PAGES if (ROOT / f"{f}.ipynb").exists()]
    for file in chapters:
        soup = BeautifulSoup((HTML / f"{file}.html").read_text(), "html.parser")
        body = soup.find("article") or soup
        words = re.findall(r"\b[a-z]{7,}\b", body.get_text(" "))
        for word in sorted(set(words), key=lambda w: (-words.count(w), w)):
            docs = index["terms"].get(stem(word))
            docs = [docs] if isinstance(docs, int) else docs
            if docs and len(docs) == 1 and docnames[docs[0]] == file \
                    and stem(word) not in titleterms:
                return word, file
    pytest.fail("no word of any chapter is unique to it in the search index")


def test_search_finds_a_word_that_only_one_chapter_has(browser, server):
    word, file = _unique_search_word()
    context, page, log = new_page(browser, (server,))
    try:
        page.goto(f"{server}/search.html?q={word}", wait_until="load")
        page.wait_for_function(
            "() => /found|did not match/i.test(document.querySelector('#search-results')"
            "?.innerText || '')", timeout=30_000)
        links = page.eval_on_selector_all("#search-results ul.search li a",
                                          "els => els.map(e => e.getAttribute('href'))")
        pages = {re.sub(r"(\.html)?([?#].*)?$", "", h) for h in links}
        assert pages == {file}, f"searching {word!r}: expected only {file}, got {links}"
        assert not log.errors and not log.failed and not log.blocked, \
            (log.errors, log.failed, log.blocked)
    finally:
        context.close()


@pytest.mark.parametrize("file", PAGES)
def test_plotly_figures_render_from_file_url_with_the_network_blocked(browser, file):
    html = (HTML / f"{file}.html").read_text()
    if "plotly-graph-div" not in html:
        pytest.skip("no plotly figure on this page")
    context, page, log = new_page(browser, ("file://",), offline=True)
    try:
        page.goto((HTML / f"{file}.html").as_uri(), wait_until="load")
        page.wait_for_function(WAIT_PLOTLY_JS, timeout=30_000)
        figures = assert_plotly_rendered(page, file)
        assert figures
        assert not log.blocked, f"{file}: requests outside the book: {log.blocked}"
        plotly_errors = [e for e in log.errors if "plotly" in e.lower()]
        assert not plotly_errors, plotly_errors
    finally:
        context.close()
