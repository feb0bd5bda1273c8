"""The Colab edition as a Jupyter front end shows it: nbconvert's HTML export in Chromium.

For every notebook of the Colab edition (`colab/**/*.ipynb`: chapters, hand-outs, student edition),
exported to HTML the way Jupyter renders Markdown (nbconvert's `lab` template) and opened in
headless Debian Chromium with the network refused:

* no raw MyST is visible: no directive fence, role, `:class:` or `:label:` line in the page text;
* every solution sits in a closed `<details>`: none of its text is visible until its summary is
  clicked, and then it is;
* the objectives box is a rendered quote, every exercise heading keeps its stable ID;
* all math is typeset (MathJax 3 from `node_modules`, with Jupyter's delimiters: `$...$` and
  `$$...$$` only), so no TeX source such as `\\times` is left in the page text.

A full-page screenshot of each chapter's edition (solutions closed) goes to
`_build/screenshots/colab/`. Run alone: `bash scripts/browser_test.sh -k colab_render`.
"""

from __future__ import annotations

import pathlib
import re
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import reader, colab  # noqa: E402
from browser_support import CHROMIUM, require_browser  # noqa: E402

MATHJAX = ROOT / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js"
SHOTS = ROOT / "_build" / "screenshots" / "colab"
EDITION = sorted(colab.COLAB.rglob("*.ipynb"))

require_browser()
from playwright.sync_api import sync_playwright  # noqa: E402

RAW_MYST = re.compile(r"```\{|:::\{|\{(exercise|solution|admonition|doc|ref)\}|^\s*:(class|label):",
                      re.M)

DETAILS_JS = """() => Array.from(document.querySelectorAll('details')).map(d => {
    const inner = Array.from(d.children).filter(c => c.tagName !== 'SUMMARY');
    return {open: d.open, summary: (d.querySelector('summary') || {}).innerText || '',
            shown: inner.some(c => c.checkVisibility ? c.checkVisibility()
                                                    : c.getBoundingClientRect().height > 0),
            text: inner.map(c => c.textContent).join(' ').trim().slice(0, 2000)};
})"""


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab")


def _with_local_mathjax(body: str) -> str:
    """nbconvert's page loads MathJax 2 from a CDN; use the book's local MathJax 3 with the
    delimiters Jupyter front ends typeset (``$``, ``$$``; no ``\\(``, no ``\\[``)."""
    config = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$']], "
              "displayMath: [['$$', '$$']], processEscapes: true}};</script>"
              f'<script src="{MATHJAX.as_uri()}"></script>')
    body, n = re.subn(r'<script src="https://cdnjs[^"]*mathjax[^"]*">\s*</script>', config, body,
                      flags=re.I)
    assert n == 1, "nbconvert's template no longer loads MathJax the way this test expects"
    return body


def _runs(text: str, n: int = 6) -> list[str]:
    """Every run of ``n`` consecutive words of ``text`` (letters only: math and code drop out)."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def _visible_text(page) -> str:
    """The words of the page's rendered text (letters only, as :func:`_runs` reads them)."""
    return " ".join(re.findall(r"[A-Za-z]{2,}", page.evaluate("() => document.body.innerText")))


@pytest.mark.parametrize("path", EDITION, ids=lambda p: str(p.relative_to(colab.COLAB)))
def test_colab_edition_renders_without_myst_and_with_solutions_closed(path, browser, exporter,
                                                                      tmp_path):
    body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    html = tmp_path / "page.html"
    html.write_text(_with_local_mathjax(body))
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else r.abort("internetdisconnected"))
    page = context.new_page()
    try:
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        text = _visible_text(page)
        tex = re.findall(r".{0,30}\\(?:times|frac|cdot|to|approx)\b.{0,30}",
                         page.evaluate("() => document.body.innerText"))
        assert tex == [], f"{path.name}: math not typeset: {tex[:3]}"
        raw = [m.group(0) for m in RAW_MYST.finditer(
            page.evaluate("() => document.body.innerText"))]
        assert raw == [], f"{path.name}: raw MyST visible: {raw[:5]}"
        details = page.evaluate(DETAILS_JS)
        solutions = [d for d in details if d["summary"].strip() == "Solution"]
        student = colab.COLAB_STUDENT in path.parents   # the Colab student edition
        if "exercises" in path.parts or student:
            assert solutions == [], f"{path.name}: a hand-out or a student notebook shows solutions"
        else:
            n_exercises = len(reader.chapter_info(ROOT / path.relative_to(colab.COLAB)).exercises)
            assert len(solutions) == n_exercises > 0
            assert page.locator("blockquote", has_text="Learning objectives").count() == 1
        for d in solutions:
            assert not d["open"] and not d["shown"], f"{path.name}: solution shown: {d['text']}"
        for label in re.findall(r"\(`([\w-]+-\d+)`\)", "\n".join(
                c.source for c in nbformat.read(path, as_version=4).cells)):
            heading = page.locator("h2, h3", has_text=re.compile(rf"\({re.escape(label)}\)"))
            assert heading.count() == 1, label
        if "exercises" not in path.parts and not student:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=True)
        summaries = page.locator("details > summary", has_text="Solution")
        for k in range(summaries.count()):   # opening a solution shows it
            summaries.nth(k).click()
        opened = [d for d in page.evaluate(DETAILS_JS) if d["summary"].strip() == "Solution"]
        assert all(d["open"] and d["shown"] for d in opened)
        shown = _visible_text(page)
        for d in opened:   # opening it shows words of the solution the closed page did not
            runs = _runs(d["text"])
            assert not runs or any(r in shown and r not in text for r in runs), d["text"][:80]
    finally:
        context.close()
