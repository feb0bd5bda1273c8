"""Sphinx extension (loaded from `_config.yml`): `nb_merge_streams` without its side effect.

With `nb_merge_streams: true` MyST-NB shows what a cell printed in one box instead of a box per
flush of the kernel's output (Keras prints a line or two per epoch, one flush each). MyST-NB
1.4.0 merges in place, though: `myst_nb.core.utils.coalesce_streams` appends the later stdout
texts to the first stream output's own text and returns a new list, and the notebook it then
writes to `_build/jupyter_execute/` keeps the later outputs as well, so every line printed after
a cell's first flush is there twice. The student and instructor editions, the training-target
test and the giveaway test read those notebooks. This extension makes the renderer merge a copy,
so the page shows one box and the executed notebook keeps its outputs as the kernel sent them
(tests/test_built_book.py checks both).
"""

import copy

from myst_nb.core import render

#: MyST-NB's merge, which the renderer calls with a cell's outputs.
_merge_in_place = render.coalesce_streams


def merge_a_copy(outputs):
    """What `coalesce_streams` returns for `outputs`, leaving `outputs` itself as it was."""
    return _merge_in_place(copy.deepcopy(outputs))


def setup(app):
    if not callable(getattr(render, "coalesce_streams", None)):
        raise RuntimeError("merged_streams: myst_nb.core.render.coalesce_streams is gone; "
                           "see whether this MyST-NB still needs the fix (requirements.txt)")
    render.coalesce_streams = merge_a_copy
    return {"parallel_read_safe": True, "parallel_write_safe": True}
