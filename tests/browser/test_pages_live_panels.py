"""The live panels in a real browser: the book's own Python, in Pyodide, on the book's pages.

Served from the built book on localhost with every other request refused (as
test_pages.py), for each page with a panel (`<div class="live-panel" data-panel=...>`):

* nothing of Pyodide is requested before the reader uses the panel or scrolls to it;
* the form controls have exactly the accessible names the chapters promise;
* for at least 20 random valid settings the numbers read off the page (table and bars)
  equal what `lessons_lib` computes here in Python, with thousands separators; for invalid
  settings the page shows lessons_lib's own error message next to the input that caused it
  and no number at all (never a stale one);
* the panel is ready (Python started and its first numbers shown) within 5 s of the first
  interaction, and every update after that (a changed input: read the form, run Python,
  write the page) takes under 50 ms; both are printed at the end of the pytest run;
* no console error, no failed request, no axe-core violation of impact serious or critical;
* from `file://` the panel says that it needs a local server, requests nothing of Pyodide,
  and the page's precomputed slider figure still draws.

Screenshots of the panels go to `_build/screenshots/live_panels/`.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time

import pytest

from browser_support import (AXE, HTML, MEASUREMENT, ROOT, SHOTS, TOC, new_page,
                             require_built_book)
from lessons_lib import arithmetic as ar
from lessons_lib.factorized_arithmetic import factorized_costs

sys.path.insert(0, str(ROOT / "scripts"))
from editions.reader import toc_files  # noqa: E402  (the one reader of _toc.yml)

require_built_book()

PANEL_SHOTS = SHOTS / "live_panels"
READY_LIMIT_MS = 5000
UPDATE_LIMIT_MS = 50
PYODIDE_URL = re.compile(r"/_static/vendor/(pyodide/|live-panels/python-snapshot)")

# the accessible name of each form control, per panel (what the chapters promise)
CONV_LABELS = {"kernel_size": "kernel size", "in_channels": "input channels",
               "out_channels": "output channels", "groups": "groups", "stride": "stride",
               "input_size": "input size", "padding": "padding"}
FACTORIZED_LABELS = {"kernel_size": "kernel size", "channels": "channels",
                     "input_size": "input size"}

READ_PANEL_JS = """root => ({
    state: root.dataset.state,
    rows: Array.from(root.querySelectorAll('tbody tr')).map(
        tr => Array.from(tr.children).map(c => c.innerText.trim())),
    bars: Array.from(root.querySelectorAll('.live-panel-bar-group')).map(g => ({
        title: g.querySelector('.live-panel-bar-title').innerText.trim(),
        rows: Array.from(g.querySelectorAll('.live-panel-bar-row')).map(r => [
            r.querySelector('.live-panel-bar-label').innerText.trim(),
            r.querySelector('.live-panel-bar-value').innerText.trim(),
            r.querySelector('.live-panel-bar > span').getBoundingClientRect().width]),
    })),
    errors: Object.fromEntries(Array.from(root.querySelectorAll('input, select')).map(c => [
        c.name, {text: document.getElementById(c.getAttribute('aria-describedby')).innerText.trim(),
                 invalid: c.getAttribute('aria-invalid') === 'true'}])),
    note: root.querySelector('.live-panel-note').innerText.trim(),
    status: root.querySelector('.live-panel-status').innerText.trim(),
})"""

SEPARATED = re.compile(r"^\d{1,3}(,\d{3})*$")


# --------------------------------------------------------------------------- settings
def conv_settings(rng: random.Random, n: int) -> list[dict]:
    """n valid settings of the convolution panel (groups divide both channel counts)."""
    settings = []
    for _ in range(n):
        groups = rng.choice([1, 1, 2, 3, 4, 8, 16, 32])
        kernel, padding = rng.randint(1, 11), rng.choice(["same", "valid"])
        size = rng.randint(kernel if padding == "valid" else 1, 320)
        settings.append(dict(kernel_size=kernel, in_channels=groups * rng.randint(1, 64),
                             out_channels=groups * rng.randint(1, 64), groups=groups,
                             stride=rng.randint(1, 4), input_size=size, padding=padding))
    return settings


# invalid settings: (values, the field whose message it is)
CONV_INVALID = [
    (dict(kernel_size=3, in_channels=64, out_channels=128, groups=3, stride=1, input_size=28,
          padding="same"), "groups"),
    (dict(kernel_size=3, in_channels=64, out_channels=24, groups=16, stride=1, input_size=28,
          padding="same"), "groups"),
    (dict(kernel_size=7, in_channels=16, out_channels=16, groups=1, stride=1, input_size=5,
          padding="valid"), "kernel_size"),
    (dict(kernel_size=0, in_channels=16, out_channels=32, groups=1, stride=1, input_size=28,
          padding="same"), "kernel_size"),
    (dict(kernel_size=3, in_channels=16, out_channels=32, groups=1, stride=0, input_size=28,
          padding="same"), "stride"),
    (dict(kernel_size=3, in_channels=-8, out_channels=32, groups=1, stride=1, input_size=28,
          padding="same"), "in_channels"),
    (dict(kernel_size=3, in_channels=16, out_channels=32, groups=1, stride=1, input_size=0,
          padding="same"), "input_size"),
]


def conv_expected(v: dict):
    return ar.compare_convolutions(v["input_size"], v["input_size"], v["in_channels"],
                                   v["out_channels"], v["kernel_size"], v["groups"], 1,
                                   v["stride"], v["padding"], use_bias=False)


def factorized_settings(rng: random.Random, n: int) -> list[dict]:
    return [dict(kernel_size=rng.choice([3, 5, 7, 9, 11]), channels=rng.randint(1, 1024),
                 input_size=rng.randint(1, 224)) for _ in range(n)]


FACTORIZED_INVALID = [
    (dict(kernel_size=4, channels=64, input_size=17), "kernel_size"),
    (dict(kernel_size=7, channels=0, input_size=17), "channels"),
    (dict(kernel_size=7, channels=64, input_size=0), "input_size"),
]


def factorized_expected(v: dict):
    return factorized_costs(v["kernel_size"], v["channels"], v["input_size"])


PANELS = {
    "conv-cost": dict(page="book/conv_arithmetic", labels=CONV_LABELS, settings=conv_settings,
                      invalid=CONV_INVALID, expected=conv_expected, n_valid=24),
    "factorized-cost": dict(page="book/factorized_convolutions", labels=FACTORIZED_LABELS,
                            settings=factorized_settings, invalid=FACTORIZED_INVALID,
                            expected=factorized_expected, n_valid=20),
}
PAGES = toc_files(TOC)
BUILT_PANELS = [name for name, spec in PANELS.items() if spec["page"] in PAGES]


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module", autouse=True)
def fresh_panel_screenshots():
    PANEL_SHOTS.mkdir(parents=True, exist_ok=True)
    for old in PANEL_SHOTS.glob("*.png"):
        old.unlink()


def controls(root, labels: dict) -> dict:
    """The panel's form controls, found by their exact accessible names (role and name)."""
    found = {}
    for name, label in labels.items():
        role = "combobox" if name == "padding" else "spinbutton"
        locator = root.get_by_role(role, name=label, exact=True)
        assert locator.count() == 1, f"no single {role} named {label!r} in the panel"
        assert locator.get_attribute("name") == name
        found[name] = locator
    return found


def set_values(found: dict, values: dict) -> None:
    for name, value in values.items():
        if name == "padding":
            found[name].select_option(value)
        else:
            found[name].fill(str(value))


def check_numbers(shown: dict, expected, context: str) -> None:
    """The table and the bars show exactly lessons_lib's rows."""
    assert shown["state"] == "ready", context
    assert not shown["note"], f"{context}: unexpected note {shown['note']!r}"
    assert not any(e["text"] or e["invalid"] for e in shown["errors"].values()), \
        f"{context}: error shown for a valid setting: {shown['errors']}"
    rows = shown["rows"]
    assert len(rows) == len(expected), f"{context}: {len(rows)} rows, expected {len(expected)}"
    base = expected[0].macs
    for row, cost in zip(rows, expected):
        name, shape, params, macs, share = row
        assert SEPARATED.match(params) and SEPARATED.match(macs), \
            f"{context}: numbers without thousands separators: {row}"
        assert (name, shape, int(params.replace(",", "")), int(macs.replace(",", "")), share) \
            == (cost.name, str(cost.output_shape), cost.params, cost.macs,
                f"{cost.macs / base:.1%}"), f"{context}: {row} is not {cost}"
    assert [g["title"] for g in shown["bars"]] == ["parameters", "MACs per image"]
    for group, key in zip(shown["bars"], ("params", "macs")):
        assert [(label, value) for label, value, _ in group["rows"]] == \
            [(c.name, f"{getattr(c, key):,}") for c in expected], context
        widths = [w for _, _, w in group["rows"]]
        largest = max(getattr(c, key) for c in expected)
        longest = widths[[getattr(c, key) for c in expected].index(largest)]
        assert longest == max(widths) > 0, f"{context}: the longest {key} bar is not the largest"


def check_error(shown: dict, expected_message: str, field: str, context: str) -> None:
    """lessons_lib's message next to the field, and no number anywhere in the results."""
    assert shown["errors"][field] == {"text": expected_message, "invalid": True}, \
        f"{context}: {field} shows {shown['errors'][field]}, expected {expected_message!r}"
    others = {k: e for k, e in shown["errors"].items()
              if k != field and (e["text"] or e["invalid"])}
    assert not others, f"{context}: errors on other fields: {others}"
    assert shown["rows"] == [] and all(g["rows"] == [] for g in shown["bars"]), \
        f"{context}: numbers shown for an invalid setting: {shown['rows']} {shown['bars']}"
    assert "No numbers for this setting" in shown["note"], context


def axe_violations(page, selector="document"):
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"async () => await axe.run({selector}, "
                           "{resultTypes: ['violations']})")
    return [f"[{v['impact']}] {v['id']}: {v['help']} "
            + "; ".join(str(n["target"]) for n in v["nodes"][:4])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


# --------------------------------------------------------------------------- tests
def test_only_pages_with_a_panel_load_the_live_panel_script():
    for file in PAGES:
        html = (HTML / f"{file}.html").read_text()
        has_panel = 'class="live-panel"' in html
        assert ("vendor/live-panels/live-panel.js" in html) == has_panel, file
        assert has_panel or "pyodide" not in html.lower(), f"{file} loads Pyodide, no panel"
        if file in (spec["page"] for spec in PANELS.values()):
            assert has_panel, f"{file} has lost its live panel"
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"):
        assert (HTML / "_static" / "vendor" / "pyodide" / name).is_file(), name
    assert (HTML / "_static" / "vendor" / "live-panels" / "python-snapshot.bin.gz").is_file()


@pytest.mark.parametrize("panel", BUILT_PANELS)
def test_live_panel_answers_like_lessons_lib(browser, server, panel, record_property):
    spec = PANELS[panel]
    rng = random.Random(f"live-panel {panel}")
    valid = spec["settings"](rng, spec["n_valid"])
    # interleave: an invalid setting after every few valid ones, so a stale number would show
    plan, invalid = [], list(spec["invalid"])
    for i, values in enumerate(valid):
        plan.append((values, None))
        if i % 3 == 2 and invalid:
            plan.append(invalid.pop(0))
    plan += invalid
    assert sum(f is None for _, f in plan) >= 20 and sum(f is not None for _, f in plan) >= 3

    context, page, log = new_page(browser, (server,))
    problems = []
    try:
        page.goto(f"{server}/{spec['page']}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        root = page.locator(f'.live-panel[data-panel="{panel}"]')
        assert root.count() == 1
        found = controls(root, spec["labels"])
        assert root.get_attribute("data-state") == "idle"
        early = [u for u in log.requests if PYODIDE_URL.search(u)]
        assert not early, f"Pyodide requested before the panel was used: {early}"

        # the first interaction starts Python; time until the panel answers
        first_values, _ = plan[0]
        start = time.perf_counter()
        set_values(found, first_values)
        page.wait_for_function("r => r.dataset.state !== 'idle' && r.dataset.state !== "
                               "'loading'", arg=root.element_handle(), timeout=60_000)
        ready_wall = time.perf_counter() - start
        shown = root.evaluate(READ_PANEL_JS)
        assert shown["state"] == "ready", f"the panel did not start: {shown['status']}"
        ready_ms = page.evaluate("() => window.livePanels.readyMs")
        trigger = page.evaluate("() => window.livePanels.trigger")

        checked = 0
        for i, (values, field) in enumerate(plan):
            set_values(found, values)
            shown = root.evaluate(READ_PANEL_JS)
            where = f"{panel} setting {i} {values}"
            if field is None:
                check_numbers(shown, spec["expected"](values), where)
            else:
                with pytest.raises((ValueError, TypeError)) as raised:
                    spec["expected"](values)
                check_error(shown, str(raised.value), field, where)
                if not PANEL_SHOTS.joinpath(f"{panel}-invalid.png").exists():
                    root.screenshot(path=str(PANEL_SHOTS / f"{panel}-invalid.png"))
                    problems += [f"with an error shown: {v}" for v in
                                 axe_violations(page, f"document.querySelector("
                                                      f"'.live-panel[data-panel=\"{panel}\"]')")]
            checked += 1

        set_values(found, plan[0][0])
        root.screenshot(path=str(PANEL_SHOTS / f"{panel}.png"))
        page.wait_for_timeout(100)   # let the last frame's timing land
        timings = page.evaluate("p => { const panel = window.livePanels.panels.find("
                                "x => x.name === p); return [panel.timings, "
                                "panel.paintTimings]; }", panel)
        problems += axe_violations(page)
        problems += [f"JavaScript error: {e}" for e in log.errors]
        problems += [f"failed request: {r}" for r in log.failed]
        problems += [f"request outside the book: {u}" for u in log.blocked]
    finally:
        context.close()

    updates, paints = timings
    record_property(MEASUREMENT, (
        f"live panel {panel} ({spec['page']}): ready (first numbers shown) {ready_ms:.0f} ms "
        f"after the first interaction ({trigger}; {ready_wall:.2f} s as Playwright saw it); "
        f"{len(updates)} updates: median {statistics.median(updates):.1f} ms, max "
        f"{max(updates):.1f} ms (to the next frame: median {statistics.median(paints):.1f} ms, "
        f"max {max(paints):.1f} ms); {checked} settings checked against lessons_lib"))
    assert not problems, f"{panel}:\n  " + "\n  ".join(problems)
    assert ready_ms < READY_LIMIT_MS, f"Python took {ready_ms:.0f} ms to be ready"
    assert max(updates) < UPDATE_LIMIT_MS, f"slowest update {max(updates):.1f} ms"


@pytest.mark.parametrize("panel", BUILT_PANELS)
def test_scrolling_to_the_panel_starts_python(browser, server, panel):
    context, page, log = new_page(browser, (server,))
    try:
        page.goto(f"{server}/{PANELS[panel]['page']}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        root = page.locator(f'.live-panel[data-panel="{panel}"]')
        assert root.get_attribute("data-state") == "idle"
        assert not [u for u in log.requests if PYODIDE_URL.search(u)]
        root.scroll_into_view_if_needed()
        page.wait_for_function("r => r.dataset.state === 'ready'", arg=root.element_handle(),
                               timeout=60_000)
        assert page.evaluate("() => window.livePanels.trigger") == "scroll"
        assert root.locator("tbody tr").count() >= 3   # the first state's numbers
        assert not log.errors and not log.failed and not log.blocked, \
            (log.errors, log.failed, log.blocked)
    finally:
        context.close()


@pytest.mark.parametrize("panel", BUILT_PANELS)
def test_from_file_url_the_panel_asks_for_a_local_server(browser, panel):
    file = PANELS[panel]["page"]
    context, page, log = new_page(browser, ("file://",), offline=True)
    try:
        page.goto((HTML / f"{file}.html").as_uri(), wait_until="load")
        root = page.locator(f'.live-panel[data-panel="{panel}"]')
        page.wait_for_function("r => r.dataset.state === 'server'", arg=root.element_handle(),
                               timeout=30_000)
        status = root.locator(".live-panel-status").inner_text()
        assert "needs a local server" in status
        assert "python3 -m http.server --directory _build/html" in status
        assert all(c.is_disabled() for c in root.locator("input, select").all())
        root.scroll_into_view_if_needed()
        root.locator("fieldset").click(force=True)   # a reader trying it starts nothing
        page.wait_for_timeout(300)
        assert root.get_attribute("data-state") == "server"
        assert not [u for u in log.requests if PYODIDE_URL.search(u)]
        # the precomputed slider figure is still there and draws
        page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".some(d => d._fullLayout && d.layout.sliders && "
                               "d.layout.sliders.length && d.querySelector('svg.main-svg'))",
                               timeout=30_000)
        root.screenshot(path=str(PANEL_SHOTS / f"{panel}-file-url.png"))
        assert not log.errors, log.errors
        assert not log.blocked, log.blocked
    finally:
        context.close()
