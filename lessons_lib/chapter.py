"""The one call at the top of every chapter: ``scale = start_chapter()``.

It makes a run repeatable and says how it will run:

* seeds Python's ``random``, NumPy and (if installed) Keras/TensorFlow;
* chooses the plotly renderer: Colab's own on Colab, otherwise
  ``plotly_mimetype+book_html`` (see :class:`BookHtmlRenderer`): JupyterLab and
  VS Code draw the plotly mime type; the static HTML book draws the ``text/html``
  part with the copy of plotly.js that the book serves itself (no CDN, works
  offline);
* on the TensorFlow backend, imports TensorFlow once with its C++ start-up log
  lines muted (they are written straight to file descriptor 2, before
  ``TF_CPP_MIN_LOG_LEVEL`` is read, and would otherwise clutter the first output
  of every chapter);
* decides the run scale (:mod:`lessons_lib.scale`) and prints it with the reason,
  and on a Colab runtime without a GPU how to switch to one;
* prints the Keras backend in use and how to change it (:func:`backend_advice`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import sys
from pathlib import Path

from lessons_lib.scale import RunScale, run_scale
from lessons_lib.validation import check_bool, check_int

BOOK_PLOTLY_RENDERER = "plotly_mimetype+book_html"


def on_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def set_seed(seed: int = 0) -> None:
    """Seed ``random``, NumPy and Keras (which seeds TensorFlow) with ``seed``."""
    seed = check_int("seed", seed, minimum=0)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # the arithmetic chapters work without TensorFlow
        return
    keras.utils.set_random_seed(seed)


def _plain_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", str(html)).split())


def figure_description(fig_dict: dict) -> str:
    """A short text alternative for a plotly figure: its title, else its axis titles."""
    layout = fig_dict.get("layout", {}) or {}

    def title_of(obj) -> str:
        title = (obj or {}).get("title")
        if isinstance(title, dict):
            title = title.get("text")
        return _plain_text(title) if title else ""

    title = title_of(layout)
    if title:
        return f"Interactive chart: {title}"
    axes = [title_of(layout.get(k)) for k in ("xaxis", "yaxis")]
    axes = [a for a in axes if a]
    if axes:
        return "Interactive chart of " + " against ".join(reversed(axes))
    return "Interactive chart"


_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SCRIPT_CLOSE = "</script>"


def split_figure_script(html: str) -> tuple[str, str, str]:
    """Split plotly's HTML of one figure around its ``<script>`` element.

    plotly 6 opens it with ``<script>``, plotly 5 with ``<script type="text/javascript">``.

    Args:
        html: the figure's HTML from ``plotly.io.to_html(..., include_plotlyjs=False,
            include_mathjax=False, full_html=False)``.

    Returns:
        ``(before, body, after)``: the HTML before the first ``<script ...>`` tag, the
        JavaScript up to the last ``</script>``, and the HTML after it.

    Raises:
        ValueError: if ``html`` has no ``<script ...>`` tag followed by ``</script>``.
    """
    opening = _SCRIPT_OPEN.search(html)
    end = html.rfind(_SCRIPT_CLOSE)
    if opening is None or end < opening.end():
        raise ValueError("html must hold a <script ...>...</script> element (plotly's HTML "
                         f"for one figure), got {html[:200]!r}")
    return html[:opening.start()], html[opening.end():end], html[end + len(_SCRIPT_CLOSE):]


def _book_html_renderer_class():
    from plotly.io._base_renderers import MimetypeRenderer

    class BookHtmlRenderer(MimetypeRenderer):
        """``text/html`` for a plotly figure that uses the page's own plotly.js.

        The HTML neither embeds plotly.js nor links a CDN: the built book loads
        its local copy (``_static/vendor/plotly.min.js``, added to every page
        that has a figure by ``scripts/offline_assets.py``), so figures render
        from ``file://`` or with no network. Only where a front end shows this
        HTML on a page without plotly.js (and without the plotly mime renderer)
        does the figure fetch plotly.js from the CDN. The figure's title is its
        text alternative (``role="figure"`` and ``aria-label``).
        """

        def to_mimebundle(self, fig_dict):
            from plotly.io import to_html
            from plotly.io._utils import plotly_cdn_url

            html = to_html(fig_dict, include_plotlyjs=False, include_mathjax=False,
                           full_html=False, default_width="100%", default_height=525,
                           validate=False, config={"responsive": True})
            label = figure_description(fig_dict).replace("&", "&amp;").replace('"', "&quot;")
            html = html.replace('class="plotly-graph-div"',
                                f'class="plotly-graph-div" role="figure" aria-label="{label}"', 1)
            before, body, after = split_figure_script(html)
            loader = (
                "<script>(function () {\n"
                f"  function draw() {{ {body} }}\n"
                "  if (window.Plotly) { draw(); return; }\n"
                "  var s = document.createElement('script');\n"
                f"  s.src = {plotly_cdn_url()!r}; s.onload = draw;\n"
                "  document.head.appendChild(s);\n"
                "})();</script>")
            return {"text/html": before + loader + after}

    return BookHtmlRenderer


def register_book_plotly_renderer() -> None:
    """Register the ``book_html`` plotly renderer (idempotent)."""
    import plotly.io as pio

    if "book_html" not in pio.renderers:
        pio.renderers["book_html"] = _book_html_renderer_class()()


def use_book_plotly_renderer() -> str:
    """Set and return the plotly renderer for this environment (see module doc)."""
    import plotly.io as pio

    if on_colab():  # Colab's own renderer; its plotly version is not ours to assume
        pio.renderers.default = "colab"
    else:
        register_book_plotly_renderer()
        pio.renderers.default = BOOK_PLOTLY_RENDERER
    return pio.renderers.default


BACKENDS = ("tensorflow", "jax", "torch")


def keras_backend() -> str:
    """The Keras backend this process uses (or will use when it imports Keras).

    Keras's own answer once Keras is imported; before that, what Keras will read:
    ``KERAS_BACKEND``, else the ``"backend"`` of ``$KERAS_HOME/keras.json`` (default
    ``~/.keras/keras.json``), else ``"tensorflow"``. Reading it never imports Keras.
    """
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return keras.backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        return json.loads((Path(home) / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def backend_advice(backend: str) -> str:
    """One line: the Keras backend in use and how to change it, locally and on Colab."""
    others = [b for b in BACKENDS if b != backend]
    return (f"Keras backend: {backend}. To switch, set KERAS_BACKEND to {' or '.join(others)} "
            f'before Keras is imported (on Colab: os.environ["KERAS_BACKEND"] = "{others[0]}" at '
            "the top of the first cell; if Keras was imported already, Runtime > Restart session).")


def quiet_import_tensorflow() -> bool:
    """On the TensorFlow backend, import TensorFlow with the process's stderr (fd 2) muted.

    Returns True if TensorFlow is imported (now or before); False on the JAX and PyTorch
    backends (nothing is imported: Keras does not need TensorFlow there) or when TensorFlow
    is not installed. Only the import is muted: Python exceptions still propagate, and
    everything TensorFlow logs afterwards (warnings included) is shown as usual.
    """
    if "tensorflow" in sys.modules:
        return True
    if keras_backend() != "tensorflow":
        return False
    if importlib.util.find_spec("tensorflow") is None:  # JAX / PyTorch only: nothing to mute
        return False
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            return False
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return True


def colab_gpu_advice(scale: RunScale) -> str:
    """How to switch to a GPU runtime, on a Colab runtime without one; "" otherwise.

    Given when a GPU would change the run (:attr:`RunScale.missing_gpu`): the chapter
    runs quick because no GPU was found, or ``LESSONS_SCALE=full`` asks for full on the CPU.
    """
    if not (on_colab() and scale.missing_gpu):
        return ""
    now = ("so this chapter runs at quick scale" if scale.quick
           else "so full-scale training will take a long time on its CPU")
    return (f"This Colab runtime has no GPU, {now}. To use a GPU: Runtime > Change runtime "
            "type > Hardware accelerator: GPU (e.g. T4) > Save, then run the notebook again "
            "from the top (the runtime restarts).")


def start_chapter(seed: int = 0, verbose: bool = True) -> RunScale:
    """Seed everything, set up plotting, choose and print the run scale.

    Prints the run scale and the seed, then the Keras backend and how to change it
    (:func:`backend_advice`); on a Colab runtime without a GPU also :func:`colab_gpu_advice`.

    Returns:
        The :class:`~lessons_lib.scale.RunScale` the chapter should use.
    """
    seed = check_int("seed", seed, minimum=0)
    verbose = check_bool("verbose", verbose)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quiet_import_tensorflow()
    set_seed(seed)
    use_book_plotly_renderer()
    scale = run_scale()
    if verbose:
        print(f"{scale}; seed={seed}")
        if importlib.util.find_spec("keras") is not None:
            print(backend_advice(keras_backend()))
        advice = colab_gpu_advice(scale)
        if advice:
            print(advice)
    return scale


# --------------------------------------------------------------------------- glue
GLUE_MIME_PREFIX = "application/papermill.record/"  # MyST-NB's prefix for a hidden glued value


def _glue_plain(name: str, value):
    """``value`` as a plain Python int, float or str (NumPy scalars included)."""
    if isinstance(value, bool):
        raise TypeError(f"`{name}`: glue a number or a sentence, not a bool; received "
                        f"{name}={value!r}. Glue the sentence that states the verdict instead.")
    if type(value) in (int, float, str):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (int, float)):  # np.float64 is a float subclass with another repr
        return float(value) if isinstance(value, float) else int(value)
    item = getattr(value, "item", None)  # NumPy and backend scalars
    if callable(item) and getattr(value, "shape", None) in ((), None):
        plain = item()
        if isinstance(plain, (int, float)) and not isinstance(plain, bool):
            return plain
    raise TypeError(f"`{name}`: glue takes an int, a float or a str (a sentence); received "
                    f"{name}={value!r} of type {type(value).__name__}.")


def shown_value(value) -> str:
    """How :func:`glue` prints a value where the prose cannot show it (Colab): ints with
    thousands separators, floats with four significant digits, sentences as they are."""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.4g}"
    return str(value)


def glue(name: str, value):
    """Hand a value this cell computed to the chapter's prose; returns ``value`` unchanged.

    The prose refers to it with MyST-NB's roles, so the sentence shows what *this* run
    computed: ``{glue:text}`name:.1f``` for a number (any Python format spec), or
    ``{glue:md}`name``` (or ``{glue:text}`name```) for a sentence the cell composed from its
    numbers (a verdict on a measurement). The value is recorded as MyST-NB's ``glue`` does
    (a hidden output with ``scrapbook`` metadata), without importing ``myst_nb``. On Colab,
    where the Colab edition shows each glued value as ``name``, it is also printed as
    ``name = value`` so the reader finds it in the output of their own run.

    Args:
        name: the key the prose uses: letters, digits and ``_``, starting with a letter
            (unique in the chapter).
        value: an int, a float (NumPy scalars are converted) or a str. A str may hold
            Markdown (``**bold**``, `` `code` ``) for ``{glue:md}``.

    Raises:
        ValueError: if ``name`` is not a valid key.
        TypeError: for any other kind of value (a bool, an array, a DataFrame).
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError("`name` must be letters, digits and '_', starting with a letter; "
                         f"received name={name!r}.")
    plain = _glue_plain(name, value)
    from IPython.display import display

    bundle = {GLUE_MIME_PREFIX + "text/plain": repr(plain)}
    if isinstance(plain, str):
        bundle[GLUE_MIME_PREFIX + "text/markdown"] = plain
    display(bundle, raw=True,
            metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_MIME_PREFIX}})
    if on_colab():
        print(f"{name} = {shown_value(plain)}")
    return value
