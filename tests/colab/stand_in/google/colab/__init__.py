"""Stand-in for Colab's ``google.colab`` (tests/colab/colab_path.py puts it on PYTHONPATH).

On Colab the kernel has imported ``google.colab`` before the first cell runs; the book's
setup cell and ``lessons_lib.chapter.on_colab()`` look for it in ``sys.modules``. This
module makes that true and nothing more: it has none of Colab's API, so a notebook that
calls any of it fails here and must be taught to this stand-in first. Its one submodule,
``output.py``, is there because JAX imports ``google.colab.output`` on Colab.

There is no ``google/__init__.py``: ``google`` stays a namespace package and this joins
protobuf's ``google.protobuf``, as on Colab.
"""
