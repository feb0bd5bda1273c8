"""The instructor kit: per-chapter session plans, misconceptions and logistics.

* **Notes** (`book/instructor_notes.yml`, written by hand): for each chapter a 50- and a
  90-minute session plan and the misconceptions learners bring. :func:`load_notes` reads it,
  :func:`notes_problems` checks it against the chapters (every plan adds up, every place it
  names is a heading or an exercise ID of that chapter).
* **Logistics** (:func:`logistics`, computed, never typed): whether the chapter trains (the
  Colab edition then asks for a GPU), what it downloads at full scale and how big, as the
  constants and docstrings of `lessons_lib` state it, and the chapter's own *Time* paragraph.

The instructor guide (`book/instructor_guide.md`) renders both; tests/test_instructor_kit.py
checks them.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import pathlib
import re

import nbformat
import yaml

from editions import reader, colab

NOTES = reader.ROOT / "book" / "instructor_notes.yml"
SESSIONS = {"session_50": 50, "session_90": 90}   # plan name -> minutes it must add up to


# --------------------------------------------------------------------------- notes
def _require(condition: bool, what: str, value, allowed: str) -> None:
    if not condition:
        raise ValueError(f"{NOTES.name}: {what} must be {allowed}; got {value!r}")


def load_notes(path: pathlib.Path = NOTES) -> dict:
    """The notes file as ``{chapter file: {"session_50": [...], "session_90": [...],
    "misconceptions": [...]}}``. Plan items are ``{"minutes": int, "activity": str,
    "where": str}``; misconceptions ``{"belief": str, "corrected_by": {"section": str,
    "shows": str}}``.

    Raises:
        ValueError: naming the entry, the value and what is allowed, for any other shape.
    """
    notes = yaml.safe_load(pathlib.Path(path).read_text())
    _require(isinstance(notes, dict), "the file", type(notes).__name__,
             "a mapping of chapter files (book/<name>) to notes")
    for chapter, entry in notes.items():
        _require(isinstance(entry, dict) and set(entry) == {*SESSIONS, "misconceptions"},
                 f"{chapter}", sorted(entry) if isinstance(entry, dict) else entry,
                 f"a mapping with exactly the keys {sorted({*SESSIONS, 'misconceptions'})}")
        for session in SESSIONS:
            _require(isinstance(entry[session], list) and entry[session],
                     f"{chapter}.{session}", entry[session], "a non-empty list")
            for k, item in enumerate(entry[session]):
                what = f"{chapter}.{session}[{k}]"
                _require(isinstance(item, dict) and set(item) == {"minutes", "activity", "where"},
                         what, item, "a mapping with the keys minutes, activity, where")
                _require(isinstance(item["minutes"], int) and not isinstance(item["minutes"], bool)
                         and item["minutes"] > 0, f"{what}.minutes", item["minutes"],
                         "a positive whole number of minutes")
                for key in ("activity", "where"):
                    _require(isinstance(item[key], str) and item[key].strip(), f"{what}.{key}",
                             item[key], "a non-empty string")
        _require(isinstance(entry["misconceptions"], list) and entry["misconceptions"],
                 f"{chapter}.misconceptions", entry["misconceptions"], "a non-empty list")
        for k, item in enumerate(entry["misconceptions"]):
            what = f"{chapter}.misconceptions[{k}]"
            fix = item.get("corrected_by") if isinstance(item, dict) else None
            _require(isinstance(item, dict) and isinstance(item.get("belief"), str)
                     and isinstance(fix, dict) and set(fix) == {"section", "shows"}
                     and all(isinstance(v, str) and v.strip() for v in fix.values()),
                     what, item, "{belief: text, corrected_by: {section: heading, shows: text}}")
    return notes


def _outside_fences(markdown: str) -> list[str]:
    """The lines of ``markdown`` outside fenced blocks (code, or MyST directives)."""
    kept, fence = [], None
    for line in markdown.split("\n"):
        m = re.match(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$", line)
        if fence is None and m:
            fence = m[1]
        elif fence is not None and m and m[1][0] == fence[0] and len(m[1]) >= len(fence) \
                and not m[2].strip():
            fence = None
        elif fence is None:
            kept.append(line)
    return kept


def chapter_headings(path: pathlib.Path) -> list[str]:
    """The section headings (``#`` to ``######``) of a chapter notebook, as written."""
    nb = nbformat.read(path, as_version=4)
    return [m[1].strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in _outside_fences(cell.source)
            if (m := re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line))]


def notes_problems(notes: dict, chapters: list[pathlib.Path]) -> list[str]:
    """What is wrong with ``notes`` for these chapter notebooks (empty when all is right):
    a chapter without notes, notes for no chapter, a plan that does not add up, a place
    that is neither a heading nor a registered exercise ID of the chapter."""
    from lessons_lib.checks import EXERCISES

    files = {str(p.relative_to(reader.ROOT).with_suffix("")): p for p in chapters}
    problems = [f"{f}: no notes" for f in files if f not in notes]
    problems += [f"{f}: notes for a chapter that is not in the table of contents"
                 for f in notes if f not in files]
    for file, entry in notes.items():
        if file not in files:
            continue
        places = set(chapter_headings(files[file]))
        places |= {ex.id for ex in reader.chapter_info(files[file]).exercises if ex.id in EXERCISES}
        for session, total in SESSIONS.items():
            minutes = sum(item["minutes"] for item in entry[session])
            if minutes != total:
                problems.append(f"{file}.{session}: the minutes add up to {minutes}, not {total}")
            problems += [f"{file}.{session}: {item['where']!r} is neither a heading nor an "
                         "exercise ID of the chapter"
                         for item in entry[session] if item["where"] not in places]
        problems += [f"{file}.misconceptions: {m['corrected_by']['section']!r} is neither a "
                     "heading nor an exercise ID of the chapter"
                     for m in entry["misconceptions"] if m["corrected_by"]["section"] not in places]
    return problems


# --------------------------------------------------------------------------- logistics
# Calls in a chapter's code that fetch data, and the `lessons_lib` constant that says what.
DATA_CALLS = {  # function -> (its `prefer` default, the constants it downloads from)
    "load_classification": ("flowers", ["lessons_lib.data.download.FLOWERS_URL"]),
    "load_segmentation": ("oxford_pets", ["lessons_lib.data.download.PETS_IMAGES_URLS",
                                          "lessons_lib.data.download.PETS_ANNOTATIONS_URLS"]),
    "load_photo": (None, ["lessons_lib.imagenet_photo.ELEPHANT_URL"]),
}
# Builders that take weights="imagenet" (or encoder_weights=), and the MODEL_CONFIGS key.
WEIGHTS_BUILDERS = {"inception_v3": "inception_v3", "xception": "xception",
                    "mobilenet": "mobilenet", "mobilenet_unet": "mobilenet",
                    "resnext50": "resnext50"}


NOT_STATED = "size not stated in lessons_lib"


@dataclasses.dataclass
class Download:
    what: str    # e.g. "`lessons_lib.data.download.FLOWERS_URL`: TF flowers archive (...)"
    size: str    # as lessons_lib states it, or NOT_STATED

    def line(self) -> str:
        """One line for the guide: what, and its size unless ``what`` already says it."""
        stated = self.size != NOT_STATED and all(s in self.what for s in self.size.split(", "))
        return self.what if stated else f"{self.what.rstrip('.')}: {self.size}."


@dataclasses.dataclass
class Logistics:
    trains: bool              # sizes follow the run scale: the Colab edition asks for a GPU
    downloads: list[Download]  # at full scale (online); nothing is fetched offline
    time: str                 # the chapter's "Time" paragraph (quick and full)


def _source(module_name: str) -> str:
    """A module's source, read without importing it (lessons_lib.data would import
    TensorFlow)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin:
        raise ValueError(f"`module_name` must name an installed module; got {module_name!r}")
    return pathlib.Path(spec.origin).read_text()


def constant_doc(dotted: str) -> str:
    """The ``#:`` comment above a module constant (``"lessons_lib.data.download.FLOWERS_URL"``):
    a one-line constant right below another shares that one's comment. "" if there is none."""
    module_name, _, name = dotted.rpartition(".")
    lines = _source(module_name).split("\n")
    k = next((i for i, line in enumerate(lines) if re.match(rf"^{name}\s*=", line)), None)
    if k is None:
        raise ValueError(f"`dotted` must name a constant of its module; got {dotted!r}")
    while k > 0 and re.match(r"^[A-Z_]+\s*=.*[^(\[{,\s]\s*$", lines[k - 1]):
        k -= 1
    doc = []
    while k > 0 and lines[k - 1].startswith("#:"):
        k -= 1
        doc.insert(0, lines[k][2:].strip())
    return " ".join(doc)


def _size_in(text: str) -> str:
    sizes = re.findall(r"(?:about )?\d[\d,.]* (?:[KMG]i?B)\b", text)
    return ", ".join(sizes)


def _builder_doc(name: str) -> str:
    """The docstring of the builder ``name`` in lessons_lib/models, read without importing
    Keras."""
    folder = pathlib.Path(importlib.util.find_spec("lessons_lib.models").origin).parent
    for source in sorted(folder.glob("*.py")):
        for node in ast.parse(source.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return ast.get_docstring(node) or ""
    raise ValueError(f"`name` must be a builder of lessons_lib.models; got {name!r}")


def _weights_size(key: str, include_top: bool) -> str:
    """The size the builder's docstring gives for its ImageNet file (with the top only:
    the docstrings describe Keras's default file)."""
    m = re.search(r'"imagenet" \(([^)]*)\)', _builder_doc(key))
    size = _size_in(m[1]) if m else ""
    if size and include_top:
        return f"{size}, as the docstring of `lessons_lib.models.{key}` states"
    return NOT_STATED


def _full_value(node: ast.AST):
    """The value an argument takes at full scale: a constant, or `scale.pick(full=...)`."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "scale.pick":
        full = next((kw.value for kw in node.keywords if kw.arg == "full"), None)
        return _full_value(full) if full is not None else None
    return None


def _calls(nb: nbformat.NotebookNode):
    for tree in reader.code_cell_trees(nb.cells):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                yield name, {kw.arg: kw.value for kw in node.keywords if kw.arg}, node


def logistics(path: pathlib.Path) -> Logistics:
    """What teaching the chapter ``path`` needs: GPU, downloads at full scale, time."""
    nb = nbformat.read(path, as_version=4)
    trains = any(c.cell_type == "code" and colab.TRAINS.search(c.source) for c in nb.cells)
    downloads: list[Download] = []

    def add(item: Download):
        if item not in downloads:
            downloads.append(item)

    for name, kwargs, node in _calls(nb):
        if name in DATA_CALLS:
            default, constants = DATA_CALLS[name]
            prefer = _full_value(kwargs["prefer"]) if "prefer" in kwargs else (
                _full_value(node.args[0]) if node.args else default)
            if prefer == "generated":
                continue
            docs = [constant_doc(c) for c in constants]
            text = " ".join(dict.fromkeys(d for d in docs if d))   # shared comments once
            add(Download(", ".join(f"`{c}`" for c in constants) + (f": {text}" if text else ""),
                         _size_in(text) or NOT_STATED))
        elif name in WEIGHTS_BUILDERS and any(
                _full_value(kwargs.get(k, ast.Constant(None))) == "imagenet"
                for k in ("weights", "encoder_weights")):
            key = WEIGHTS_BUILDERS[name]
            include_top = (name != "mobilenet_unet"
                           and _full_value(kwargs.get("include_top", ast.Constant(True))) is True)
            add(Download(f"ImageNet weights of `{key}` ("
                         f"{'with' if include_top else 'without'} the classifier)",
                         _weights_size(key, include_top)))
        elif name == "decode_predictions":
            add(Download("`lessons_lib.models.configs.CLASS_INDEX_URL`: the ImageNet class index",
                         NOT_STATED))
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return Logistics(trains, downloads, reader._paragraph_after(markdown, "Time"))
