"""MyST Markdown, as the chapters write it, turned into the Markdown a Jupyter front end renders.

The book's chapters are MyST notebooks: Jupyter Book renders their ``{admonition}``,
``{exercise}`` and ``{solution}`` directives and their ``{doc}`` roles, but Colab, JupyterLab
and nbconvert print them as raw text (every solution in plain view). :func:`to_jupyter_markdown`
rewrites one cell's Markdown for those front ends:

* an admonition (learning objectives, pitfalls, porting notes) becomes a block quote with a bold
  title; a ``dropdown`` one becomes a collapsed ``<details>``;
* an exercise becomes a numbered heading that keeps its stable ID (``Exercise 3: ... (`id`)``);
* a solution becomes ``<details><summary>Solution</summary> ... </details>``, collapsed;
* ``{doc}`` roles, and links to other chapters (``other.ipynb``, ``other.md``), become links to
  that page of the rendered book; ``{math}`` roles and directives become ``$...$`` / ``$$...$$``;
* images with a repository-relative path point at the raw file in the repository;
* label targets ``(name)=`` become HTML anchors, MyST comments (``% ...``) are dropped;
* a value glued from a cell (``{glue:text}`name:.1f```, ``{glue:md}`name```, ``{glue}`name```)
  becomes ``name`` in code font, and the cell ends with a line that says where the reader's own
  run printed it (``lessons_lib.chapter.glue`` prints ``name = value`` on Colab): a value
  computed on the machine that built the book would be stale on the reader's.

Anything else MyST (another directive or role, a substitution) raises :class:`MystError`, so
no MyST can slip through: :func:`myst_leftovers` is the independent check the tests apply.
Fenced code blocks are left exactly as they are.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from typing import Callable

FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<arg>.*)$")
CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
ROLE = re.compile(r"(?<!`)\{(?P<name>[a-z][\w:-]*)\}`(?P<body>[^`]+)`")
LABEL_TARGET = re.compile(r"^\s*\((?P<label>[\w.:-]+)\)=\s*$")
MYST_COMMENT = re.compile(r"^\s*%")
MD_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
HTML_IMG = re.compile(r"(<img\b[^>]*?\bsrc=\")(?P<src>[^\"]+)(\")", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.I)

GLUE_ROLES = ("glue", "glue:", "glue:any", "glue:text", "glue:md")

ADMONITION_TITLES = {  # the named admonitions MyST knows, with their default title
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important",
    "warning": "Warning", "caution": "Caution", "attention": "Attention",
    "danger": "Danger", "error": "Error", "seealso": "See also",
}


class MystError(ValueError):
    """A MyST construct that has no Jupyter Markdown equivalent here."""


@dataclasses.dataclass
class Page:
    """Where the Markdown lives and where its links should point.

    Attributes:
        file: the page's path in the repository without suffix, e.g. ``book/resnext``.
        book_url: the rendered book's base URL, ending in ``/``.
        raw_url: the base URL of the repository's raw files, ending in ``/``.
        exercise_title: maps an exercise label to its title (the exercise registry).
        page_titles: maps a page path without suffix (``book/resnext``) to its title.
    """

    file: str
    book_url: str
    raw_url: str
    exercise_title: Callable[[str], str] = lambda label: ""
    page_titles: dict = dataclasses.field(default_factory=dict)
    exercises_seen: list = dataclasses.field(default_factory=list)
    glued_seen: list = dataclasses.field(default_factory=list)
    depth: int = 0

    def page_link(self, target: str) -> tuple[str, str]:
        """(url, page path) of a page named relative to this one (``resnext``, ``../x.md``)."""
        base, _, anchor = target.partition("#")
        stem = re.sub(r"\.(ipynb|md)$", "", base)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(self.file), stem))
        url = f"{self.book_url}{path}.html" + (f"#{anchor}" if anchor else "")
        return url, path

    def raw_link(self, target: str) -> str:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(self.file), target))
        if path.startswith(".."):
            raise MystError(f"{self.file}: the path {target!r} leaves the repository")
        return f"{self.raw_url}{path}"


# --------------------------------------------------------------------------- parsing
def directive_blocks(markdown: str):
    """Yield (name, argument, first line index, last line index, body lines) for every
    fenced MyST directive (``` or :::, any length) at the top level of ``markdown``."""
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        char, width = m["fence"][0], len(m["fence"])
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped and set(stripped) == {char} and len(stripped) >= width:
                break
            j += 1
        yield m["name"], m["arg"].strip(), i, min(j, len(lines) - 1), lines[i + 1:j]
        i = j + 1


def options_and_body(body: list[str]) -> tuple[dict, str]:
    """Split a directive's lines into its ``:option: value`` lines and the rest."""
    options, k = {}, 0
    while k < len(body) and (m := re.match(r"^:(\w[\w-]*):\s*(.*)$", body[k].strip())):
        options[m[1]] = m[2]
        k += 1
    return options, "\n".join(body[k:]).strip("\n")


def _dedent(lines: list[str], indent: str) -> list[str]:
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines]


# --------------------------------------------------------------------------- conversion
def to_jupyter_markdown(markdown: str, page: Page) -> str:
    """One cell's MyST Markdown as Markdown that Jupyter, Colab and nbconvert render.

    Raises:
        MystError: for a directive, role or substitution this converter does not know.
    """
    glued_before = len(page.glued_seen)
    text = _to_jupyter_markdown(markdown, page)
    glued = list(dict.fromkeys(page.glued_seen[glued_before:]))
    if glued and page.depth == 0:  # a directive's body: its cell adds the note
        names = ", ".join(f"`{name}`" for name in glued)
        text += ("\n\n*" + ("This value is" if len(glued) == 1 else "These values are")
                 + f" computed by your run: the code above prints {names} as "
                 "`name = value`.*")
    return text


def _to_jupyter_markdown(markdown: str, page: Page) -> str:
    lines = markdown.split("\n")
    out: list[str] = []
    cursor = 0
    for name, arg, first, last, body in list(directive_blocks(markdown)):
        out.append(_inline("\n".join(lines[cursor:first]), page))
        indent = FENCE_OPEN.match(lines[first])["indent"]
        out.append(_indent(_directive(name, arg, _dedent(body, indent), page), indent))
        cursor = last + 1
    out.append(_inline("\n".join(lines[cursor:]), page))
    text = "\n".join(part for part in out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.split("\n"))


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.split("\n"))


def _directive(name: str, arg: str, body: list[str], page: Page) -> str:
    options, text = options_and_body(body)
    classes = options.get("class", "").split()
    page.depth += 1
    try:
        inner = to_jupyter_markdown(text, page) if text else ""
    finally:
        page.depth -= 1
    if name == "admonition" or name in ADMONITION_TITLES:
        title = arg or ADMONITION_TITLES.get(name, "Note")
        if "dropdown" in classes:
            return f"<details>\n<summary>{title}</summary>\n\n{inner}\n\n</details>"
        return _quote(f"**{title}**\n\n{inner}")
    if name == "exercise":
        label = options.get("label", "").strip()
        if not label:
            raise MystError(f"{page.file}: an exercise without a :label: (its stable ID)")
        page.exercises_seen.append(label)
        n = len(page.exercises_seen)
        title = page.exercise_title(label)
        heading = f"### Exercise {n}" + (f": {title}" if title else "") + f" (`{label}`)"
        return f'<a id="{label}"></a>\n\n{heading}\n\n{inner}'
    if name == "solution":
        return f"<details>\n<summary>Solution</summary>\n\n{inner}\n\n</details>"
    if name == "math":
        return f"$$\n{text}\n$$"
    if name in ("image", "figure"):
        alt = options.get("alt", "")
        image = f"![{alt}]({_image_src(arg, page)})"
        return image if name == "image" or not inner else f"{image}\n\n*{inner}*"
    raise MystError(f"{page.file}: the directive {{{name}}} has no Jupyter rendering here; "
                    "add one to scripts/myst_markdown.py or write plain Markdown")


def _image_src(src: str, page: Page) -> str:
    return src if EXTERNAL.match(src) else page.raw_link(src)


def _inline(text: str, page: Page) -> str:
    """Roles, links, images, label targets and comments of text outside directives; fenced
    code blocks are copied unchanged."""
    out, fence = [], None
    for line in text.split("\n"):
        m = CODE_FENCE.match(line)
        if fence:
            out.append(line)
            if m and m[1][0] == fence[0] and len(m[1]) >= len(fence) \
                    and not line.strip()[len(m[1]):].strip():
                fence = None
            continue
        if m:
            fence = m[1]
            out.append(line)
            continue
        if MYST_COMMENT.match(line):
            continue
        target = LABEL_TARGET.match(line)
        if target:
            out.append(f'<a id="{target["label"]}"></a>')
            continue
        if "{{" in line:
            raise MystError(f"{page.file}: MyST substitutions ({{{{ ... }}}}) do not render "
                            f"outside the book: {line.strip()!r}")
        line = ROLE.sub(lambda m: _role(m["name"], m["body"], page), line)
        line = MD_LINK.sub(lambda m: _link(m, page), line)
        line = HTML_IMG.sub(lambda m: m[1] + _image_src(m["src"], page) + m[3], line)
        out.append(line)
    return "\n".join(out)


def _role(name: str, body: str, page: Page) -> str:
    if name == "math":
        return f"${body}$"
    if name in GLUE_ROLES:
        key = body.split(":", 1)[0].strip()
        if "::" in body or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
            raise MystError(f"{page.file}: a glue key must be a name from this chapter: "
                            f"{{{name}}}`{body}`")
        page.glued_seen.append(key)
        return f"`{key}`"
    if name == "doc":
        m = re.match(r"^(?P<text>.*?)\s*<(?P<target>[^>]+)>$", body)
        text, target = (m["text"], m["target"]) if m else ("", body)
        url, path = page.page_link(target.strip())
        return f"[{text or page.page_titles.get(path, path)}]({url})"
    raise MystError(f"{page.file}: the role {{{name}}} has no Jupyter rendering here: "
                    f"{{{name}}}`{body}`")


def _link(m: re.Match, page: Page) -> str:
    target = m["target"]
    if EXTERNAL.match(target):
        return m[0]
    if m["bang"]:
        return f"![{m['text']}]({_image_src(target, page)}{m['title'] or ''})"
    if re.search(r"\.(ipynb|md)(#.*)?$", target):
        url, path = page.page_link(target)
        return f"[{m['text'] or page.page_titles.get(path, path)}]({url})"
    return f"[{m['text']}]({page.raw_link(target)})"


# --------------------------------------------------------------------------- checking
LEFTOVER_PATTERNS = {
    "directive": re.compile(r"^\s*(`{3,}|:{3,})\{[\w-]+\}", re.M),
    "role": ROLE,
    "label target": re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.M),
    "directive option": re.compile(r"^\s*:(class|label|name|alt|dropdown|open):", re.M),
    "substitution": re.compile(r"\{\{.*?\}\}"),
    "colon fence": re.compile(r"^\s*:{3,}\s*$", re.M),
    "equation label": re.compile(r"\$\$\s*\([\w.:-]+\)"),
    "LaTeX delimiters": re.compile(r"\\\(|\\\[(?!\d)"),
}


def myst_leftovers(markdown: str) -> list[str]:
    """The MyST constructs left in ``markdown`` (empty when a Jupyter front end renders it all).

    Each item names the kind and quotes the line, e.g. ``"directive: ```{solution} x-1"``.
    """
    found = []
    for kind, pattern in LEFTOVER_PATTERNS.items():
        for m in pattern.finditer(markdown):
            line = markdown[:m.start()].count("\n")
            found.append(f"{kind}: {markdown.split(chr(10))[line].strip()}")
    return found
