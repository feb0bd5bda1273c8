"""The targets a chapter's quick-scale training runs must reach, read from their ``final`` lines.

Every training run prints one line made by :mod:`lessons_lib.evaluation`
(``final: ...``, ``final (control): ...``, ``final (experiment): ...``). :func:`final_lines`
collects them from an executed notebook's printed output; :func:`missed_targets` says which
targets they miss. ``tests/test_training_targets.py`` runs both over the CI build
(``_build/jupyter_execute``, quick scale, TensorFlow) and over made-up lines that must fail.

The targets (issue 17):

- a run meant to learn (``final:``) of a classifier: validation accuracy >= 0.85 with up to 4
  classes (>= 3x chance with more) and validation loss below the chance loss ``ln(n)``;
- of a segmentation network: mean IoU >= 0.70 and every foreground class >= 0.50;
- a compared variant (``final (experiment):``): 3 seeds or more;
- the pairs of :data:`PAIRS`: the variant beats its control by the rule named there (the
  residual stack the plain one by more than both spreads; fine-tuning a pretrained network
  training it from scratch on the same few images by 0.15 accuracy or more).
"""

from __future__ import annotations

import json
import pathlib

from lessons_lib.evaluation import FinalLine, parse_final

#: Chapters whose quick runs are held to the targets; each must print at least one line.
TRAINING_CHAPTERS = ("inception_module", "inception_v3", "xception", "mobilenet_unet", "resnext",
                     "comparison")

#: (chapter, words of the control's ``what``, words of the variant's, rule). Rules:
#: ``"beyond spreads"``: the variant's mean beats the control's by more than either spread;
#: ``"by 0.15"``: by 0.15 accuracy or more.
PAIRS = (
    ("xception", "plain", "residual", "beyond spreads"),
    ("inception_v3", "from scratch", "fine-tuned", "by 0.15"),
)

ACCURACY_TARGET = 0.85
IOU_TARGET, CLASS_IOU_TARGET = 0.70, 0.50
MIN_SEEDS = 3


def final_lines(notebook: pathlib.Path | dict) -> list[FinalLine]:
    """The ``final`` lines printed (stdout streams) by an executed notebook, in order."""
    nb = json.loads(pathlib.Path(notebook).read_text()) if not isinstance(notebook, dict) \
        else notebook
    lines = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                text = output["text"]
                text = "".join(text) if isinstance(text, list) else text
                lines += [p for p in map(parse_final, text.splitlines()) if p is not None]
    return lines


def _line_misses(line: FinalLine) -> list[str]:
    misses = []
    if line.role == "experiment" and line.seeds < MIN_SEEDS:
        misses.append(f"a compared variant over {line.seeds} seed(s), not {MIN_SEEDS} or more")
    if line.role is not None:
        return misses
    if line.kind == "classification":
        n_classes = round(1 / line.chance)
        bar = ACCURACY_TARGET if n_classes <= 4 else 3 * line.chance
        if not line.value >= bar:
            misses.append(f"validation accuracy {line.value:.3f} < {bar:.3f}")
        if line.loss is None:
            misses.append("no validation loss printed")
        elif not line.loss < line.chance_loss:
            misses.append(f"validation loss {line.loss:.3f} not below the chance loss "
                          f"{line.chance_loss:.3f}")
    else:
        if not line.value >= IOU_TARGET:
            misses.append(f"mean IoU {line.value:.3f} < {IOU_TARGET}")
        foreground = {k: v for k, v in line.per_class.items() if k != "background"}
        for name, iou in foreground.items():
            if not iou >= CLASS_IOU_TARGET:
                misses.append(f"IoU of {name} {iou:.3f} < {CLASS_IOU_TARGET}")
    return misses


def _find(lines, role, words):
    found = [ln for ln in lines if ln.role == role and words in ln.what]
    return found[0] if len(found) == 1 else None


def missed_targets(chapter: str, lines: list[FinalLine]) -> list[str]:
    """Each target that ``chapter``'s lines miss, as ``"<chapter>: <what>: <the line>"``."""
    misses = []
    if chapter in TRAINING_CHAPTERS and not lines:
        misses.append(f"{chapter}: prints no `final` line")
    for line in lines:
        misses += [f"{chapter}: {m}: {line.text}" for m in _line_misses(line)]
    for name, control_words, variant_words, rule in PAIRS:
        if name != chapter:
            continue
        control = _find(lines, "control", control_words)
        variant = next((ln for role in ("experiment", None)
                        if (ln := _find(lines, role, variant_words))), None)
        if control is None or variant is None:
            misses.append(f"{chapter}: no single control line with {control_words!r} and "
                          f"variant line with {variant_words!r}")
            continue
        gap = variant.value - control.value
        if rule == "beyond spreads" and not gap > max(control.spread, variant.spread):
            misses.append(f"{chapter}: {variant_words} beats {control_words} by {gap:.3f}, not "
                          f"more than both spreads ({control.spread:.3f}, {variant.spread:.3f})")
        if rule == "by 0.15" and not gap >= 0.15:
            misses.append(f"{chapter}: {variant_words} beats {control_words} by {gap:.3f}, "
                          "not 0.15 or more")
        for line in (control, variant):
            if line.seeds < MIN_SEEDS:
                misses.append(f"{chapter}: {line.text}: {line.seeds} seed(s), not {MIN_SEEDS}")
    return misses
