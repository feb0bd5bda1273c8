"""Sphinx extension (loaded from `_config.yml`): the built book needs no network.

Everything a page loads is served from the built book itself:

* **plotly.js** is copied from the installed `plotly` package (so it always
  matches the version that wrote the figures) to `_static/vendor/plotly.min.js`
  and added to every page that has a plotly figure. The figures' HTML comes from
  the `book_html` renderer (`lessons_lib.chapter`), which uses the page's plotly.js
  and links no CDN;
* **require.js** (npm `requirejs`) and the **ipywidgets HTML manager** (npm
  `@jupyter-widgets/html-manager`, `dist/embed-amd.js` and its fonts), which
  MyST-NB adds to pages with widget state (`nb_ipywidgets_js` in `_config.yml`);
* **MathJax 3** (npm `mathjax`, the `es5` build; `mathjax_path` in `_config.yml`);
* the **live panels** (`scripts/live_panels/`): `live-panel.js` and its CSS, added only to pages
  with a `<div class="live-panel" data-panel="...">`; **Pyodide** (npm `pyodide`: only the files
  it loads) in `_static/vendor/pyodide/`; and `python-snapshot.bin.gz`, a Pyodide memory snapshot
  with the book's own `lessons_lib/arithmetic.py`, `lessons_lib/factorized_arithmetic.py` and
  `scripts/live_panels/live_panels.py` imported, made at build time by Node.js
  (`make_snapshot.mjs`; remade only when those sources or Pyodide change).

The npm packages are pinned in `package.json` / `package-lock.json` and installed
into `node_modules/` by `scripts/setup_env.sh` (`npm ci`); the build copies them
into `_build/html/_static/vendor/` when it finishes.

It also gives every image that a code cell produced a text alternative when the
cell did not set one (MyST-NB's cell metadata `mystnb: image: alt: ...` wins):
the docutils default would be the image's file name. And it fixes what the browser test
(tests/browser) found in the theme and the widgets: two "serious" axe-core violations in
the theme's buttons, a console error about the colour mode, a duplicated inline script,
and, on widget pages, the MathJax 2 API that ipywidgets calls, unnamed slider handles and
widget columns that overlapped in the narrow text column.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import shutil
import subprocess

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = pathlib.Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = "vendor"          # under _static/
PLOTLY_JS = f"{VENDOR}/plotly.min.js"
WIDGETS_SUPPORT = f"{VENDOR}/widgets-support.js"
WIDGETS_CSS = f"{VENDOR}/widgets-support.css"
# The live panels: Pyodide runs the book's own Python in the reader's browser.
PYODIDE_DIR = NODE_MODULES / "pyodide"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")
LIVE_SRC = ROOT / "scripts" / "live_panels"
LIVE_PANEL_JS = f"{VENDOR}/live-panels/live-panel.js"
LIVE_PANEL_CSS = f"{VENDOR}/live-panels/live-panel.css"
LIVE_SNAPSHOT = f"{VENDOR}/live-panels/python-snapshot.bin.gz"
# what the snapshot holds: {path under /live_panels in Pyodide: the source file}
LIVE_PYTHON = {
    "lessons_lib/__init__.py": ROOT / "lessons_lib" / "__init__.py",
    "lessons_lib/arithmetic.py": ROOT / "lessons_lib" / "arithmetic.py",
    "lessons_lib/factorized_arithmetic.py": ROOT / "lessons_lib" / "factorized_arithmetic.py",
    "lessons_lib/validation.py": ROOT / "lessons_lib" / "validation.py",
    "live_panels.py": LIVE_SRC / "live_panels.py",
}
# The book's text column is narrower than JupyterLab's: let a row of widget columns wrap
# instead of overlapping (a slider's value readout was hidden under the next column).
WIDGETS_SUPPORT_CSS = """/* Written by scripts/offline_assets.py. */
.cell_output .widget-hbox { flex-wrap: wrap; }
"""

# Loaded between require.js and the widget manager on pages with widget state
# (`nb_ipywidgets_js` in _config.yml). Three fixes for the static page:
WIDGETS_SUPPORT_JS = r"""// Written by scripts/offline_assets.py.
(function () {
  // 1. The widget manager is an AMD module; require.js would resolve its URL (and so its
  //    font files) against the page. Point it at the book's copy in _static/vendor/.
  var src = document.currentScript.src;
  var base = src.slice(0, src.lastIndexOf("/") + 1);
  window.require.config({paths: {"@jupyter-widgets/html-manager/dist": base + "html-manager"}});

  document.addEventListener("DOMContentLoaded", function () {
    // 2. ipywidgets typesets labels with the MathJax 2 API (MathJax.Hub.Queue); the book
    //    has MathJax 3. Translate, so widgets with a description do not throw.
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {Queue: function () {
        var jobs = Array.prototype.slice.call(arguments);
        var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
        ready.then(function () {
          jobs.forEach(function (job) {
            if (Array.isArray(job) && job[0] === "Typeset" && mj.typesetPromise) {
              mj.typesetPromise(job[2] ? [job[2]] : undefined).catch(function () {});
            } else if (typeof job === "function") { job(); }
          });
        });
      }};
    }
    // 3. Accessibility: a slider handle (role="slider") is named by its widget's
    //    description label, which ipywidgets does not associate with it.
    function nameSliders() {
      document.querySelectorAll('[role="slider"]:not([aria-label])').forEach(function (h) {
        var box = h.closest(".widget-slider, .widget-hslider, .widget-vslider, .widget-inline-hbox");
        var label = box && box.querySelector(".widget-label");
        var text = label && label.textContent.trim();
        if (text) { h.setAttribute("aria-label", text); }
      });
    }
    new MutationObserver(nameSliders).observe(document.body, {childList: true, subtree: true});
    nameSliders();
  });
})();
"""
logger = logging.getLogger(__name__)


def plotly_js_path() -> pathlib.Path:
    import plotly

    path = pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise ExtensionError(f"offline_assets: {path} is missing (is plotly installed?)")
    return path


def assets() -> list[tuple[pathlib.Path, str]]:
    """(source, destination under _static/) for every vendored file or folder."""
    manager = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    wanted = [
        (plotly_js_path(), PLOTLY_JS),
        (NODE_MODULES / "requirejs" / "require.js", f"{VENDOR}/require.js"),
        (manager / "embed-amd.js", f"{VENDOR}/html-manager/embed-amd.js"),
        (NODE_MODULES / "mathjax" / "es5", f"{VENDOR}/mathjax"),
        (LIVE_SRC / "live-panel.js", LIVE_PANEL_JS),
        (LIVE_SRC / "live-panel.css", LIVE_PANEL_CSS),
    ]
    wanted += [(PYODIDE_DIR / name, f"{VENDOR}/pyodide/{name}") for name in PYODIDE_FILES]
    # the font files embed-amd.js loads (font-awesome), next to it
    for font in sorted(manager.glob("*")) if manager.is_dir() else []:
        if font.suffix in {".woff2", ".woff", ".ttf", ".eot", ".svg"}:
            wanted.append((font, f"{VENDOR}/html-manager/{font.name}"))
    missing = [str(src) for src, _ in wanted if not src.exists()]
    missing += [str(src) for src in LIVE_PYTHON.values() if not src.exists()]
    if missing:
        raise ExtensionError(
            "offline_assets: missing " + ", ".join(missing)
            + ". Install the pinned npm packages with `npm ci` in the repository root "
              "(scripts/setup_env.sh does it).")
    return wanted


def check_assets(app: Sphinx, config) -> None:
    assets()  # fail early, before the notebooks are executed


def copy_assets(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = pathlib.Path(app.outdir) / "_static"
    for src, dest in assets():
        target = static / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target)
    (static / WIDGETS_SUPPORT).write_text(WIDGETS_SUPPORT_JS)
    (static / WIDGETS_CSS).write_text(WIDGETS_SUPPORT_CSS)
    write_python_snapshot(static / LIVE_SNAPSHOT)
    for page in pathlib.Path(app.outdir).rglob("*.html"):
        fix_theme_accessibility(page)
    logger.info("offline_assets: copied plotly.js, require.js, the widget manager, MathJax, "
                "Pyodide and the live panels into %s", static / VENDOR)


def write_python_snapshot(target: pathlib.Path) -> None:
    """Bake the live panels' Python (LIVE_PYTHON) into a gzipped Pyodide memory snapshot.

    Runs `node scripts/live_panels/make_snapshot.mjs` (a few seconds), unless `target` was
    made from the same sources, the same Pyodide and the same script (a hash beside it).
    """
    sources = {name: path.read_text(encoding="utf-8") for name, path in LIVE_PYTHON.items()}
    key = hashlib.sha256(json.dumps([
        sources, (PYODIDE_DIR / "package.json").read_text(),
        (LIVE_SRC / "make_snapshot.mjs").read_text()]).encode()).hexdigest()
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and stamp.exists() and stamp.read_text() == key:
        return
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("offline_assets: the live panels need Node.js (`node`) to make "
                             "their Python snapshot; scripts/setup_env.sh installs it")
    target.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([node, str(LIVE_SRC / "make_snapshot.mjs"), str(PYODIDE_DIR),
                           str(target)], input=json.dumps(sources), text=True,
                          capture_output=True, timeout=600)
    if done.returncode != 0:
        raise ExtensionError("offline_assets: make_snapshot.mjs failed "
                             f"(exit {done.returncode}):\n{done.stderr[-3000:]}")
    stamp.write_text(key)


# Accessibility fixes to the theme's markup (pydata-sphinx-theme 0.17), which axe-core
# flags as "serious" (label-content-name-mismatch: the visible text must be part of the
# accessible name): the search field's name gains its visible shortcut, and the colour-
# mode icons lose the titles that Font Awesome turns into (visible) SVG <title>s; the
# button keeps its name and tooltip "Color mode".
THEME_FIXES = [
    (re.compile(r'(<button class="btn search-button-field [^"]*"[^>]*?) aria-label="Search"'),
     r'\1 aria-label="Search Ctrl+K"'),
    (re.compile(r'(<i class="theme-switch [^>]*?) title="[^"]*"'), r"\1"),
]


def fix_theme_accessibility(page: pathlib.Path) -> None:
    html = page.read_text(encoding="utf-8")
    fixed = html
    for pattern, replacement in THEME_FIXES:
        fixed = pattern.sub(replacement, fixed)
    if fixed != html:
        page.write_text(fixed, encoding="utf-8")


def set_theme_defaults(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # sphinx-book-theme leaves the colour mode empty, and pydata-sphinx-theme then logs
    # a console error ("Got invalid theme mode") on a reader's first visit.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def page_resources(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Per page: load the local plotly.js where there is a figure (only there), the
    widget CSS where there are widgets and the live-panel script and CSS where there is a
    live panel (only there: Pyodide itself loads when the panel is used); no launch (Colab)
    button on pages that are not .ipynb notebooks; and drop duplicated inline scripts
    (sphinx-thebe's `const THEBE_JS_URL` is added twice by Jupyter Book, and a second `const`
    declaration is a JavaScript error)."""
    if "plotly-graph-div" in context.get("body", ""):
        app.add_js_file(PLOTLY_JS)
    if "application/vnd.jupyter.widget-view+json" in context.get("body", ""):
        app.add_css_file(WIDGETS_CSS)
    if 'class="live-panel"' in context.get("body", ""):
        app.add_js_file(LIVE_PANEL_JS)
        app.add_css_file(LIVE_PANEL_CSS)
    if context.get("page_source_suffix") != ".ipynb" and "header_buttons" in context:
        # a MyST Markdown notebook (the instructor guide) has no .ipynb for Colab to open
        context["header_buttons"] = [b for b in context["header_buttons"]
                                     if b.get("label") != "launch-buttons"]
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            key = (getattr(script, "filename", str(script)) or "",   # None and "": inline
                   repr(sorted(getattr(script, "attributes", {}).items())))
            if key in seen:
                continue
            seen.add(key)
            unique.append(script)
        scripts[:] = unique


def _section_title(node: nodes.Node) -> str:
    while node is not None:
        if isinstance(node, nodes.section) and node.children \
                and isinstance(node[0], nodes.title):
            return node[0].astext()
        node = node.parent
    return ""


def default_alt_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Images output by code cells get an alt text when the cell gave none."""
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        parent, in_output = image.parent, False
        while parent is not None:
            if "cell_output" in parent.get("classes", []):
                in_output = True
                break
            parent = parent.parent
        if not in_output:
            continue
        title = _section_title(image)
        image["alt"] = (f"Figure drawn by the code cell above, in the section “{title}”"
                        if title else "Figure drawn by the code cell above")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", check_assets)
    app.connect("html-page-context", set_theme_defaults)
    app.connect("doctree-resolved", default_alt_text)
    app.connect("html-page-context", page_resources, priority=900)  # after the theme's
    app.connect("build-finished", copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
