"""Run every chapter top to bottom on one Keras backend and write a table of time per chapter.

    python scripts/run_chapters.py                          # full scale, JAX backend
    python scripts/run_chapters.py --scale smoke --backend torch book/resnext.ipynb
    python scripts/run_chapters.py --out _build/chapter-times   # where the results go

It is the command for a GPU machine: it needs Keras, the backend (JAX by default), lessons_lib's
dependencies, ``nbclient`` and ``ipykernel``, and **not** TensorFlow (the lent GPU machines have
JAX and PyTorch only). Each chapter runs in a fresh kernel started from this Python with
``KERAS_BACKEND``, ``LESSONS_SCALE`` and ``LESSONS_OFFLINE`` (``--offline``) set, in the book's
order (``_toc.yml``). A chapter that fails does not stop the others; the exit status is 1 if
any failed.

Writes to ``--out`` (default ``_build/chapter-times/<backend>-<scale>/``):

* ``times.md``: a Markdown table (chapter, seconds, result) under a header that says when,
  where (the accelerator the backend sees, CPU cores), which backend, Keras and Python versions
  and which scale;
* ``times.json``: the same, for programs;
* ``<chapter>.ipynb``: each executed notebook with its outputs (the failing cell's error too).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("jax", "torch", "tensorflow")
SCALES = ("full", "quick", "smoke")

# What the backend sees, asked in a child process with the same environment as the kernels.
_PROBE = """
import json, platform, keras
from lessons_lib import scale
print(json.dumps({"backend": keras.backend.backend(), "keras": keras.__version__,
                  "accelerator": ", ".join(scale._gpu_names()) or "CPU only",
                  "python": platform.python_version()}))
"""


def toc_chapters(toc: pathlib.Path = ROOT / "_toc.yml") -> list[pathlib.Path]:
    """The chapter notebooks of the table of contents, in reading order.

    Reads the ``- file: book/<name>`` lines with a regular expression (no YAML library needed
    on a bare GPU machine); entries without a ``.ipynb`` (Markdown pages) are left out.
    """
    files = re.findall(r"^\s*-?\s*file:\s*(\S+)", toc.read_text(), flags=re.MULTILINE)
    return [ROOT / f"{name}.ipynb" for name in files if (ROOT / f"{name}.ipynb").is_file()]


def environment(backend: str, scale: str, offline: bool) -> dict:
    """``os.environ`` plus the settings every kernel gets."""
    env = dict(os.environ, KERAS_BACKEND=backend, LESSONS_SCALE=scale,
               TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")
    if offline:
        env["LESSONS_OFFLINE"] = "1"
    return env


def machine(env: dict) -> dict:
    """Backend, Keras, accelerator and Python as a kernel with ``env`` will see them."""
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"run_chapters: Keras does not start with KERAS_BACKEND="
                         f"{env['KERAS_BACKEND']}: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_one(path: pathlib.Path, out: pathlib.Path, env: dict, timeout_s: int) -> dict:
    """Execute one notebook in a fresh kernel; return its row of the table."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)   # the kernel inherits this process's environment
    start = time.perf_counter()
    try:
        client.execute()
        result = "ok"
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        lines = [line for line in str(error).strip().splitlines() if line.strip()]
        result = f"failed: {lines[-1][:200] if lines else type(error).__name__}"
        if isinstance(error, DeadKernelError):   # say where: the last cell that started
            started = [i for i, cell in enumerate(nb.cells)
                       if cell.cell_type == "code" and cell.get("execution_count")]
            result += f" (in code cell {started[-1] if started else '?'})"
    finally:
        seconds = time.perf_counter() - start
        os.environ.clear()
        os.environ.update(saved)
    nbformat.write(nb, out / path.name)
    return {"chapter": path.stem, "seconds": round(seconds, 1), "result": result}


def table(rows: list[dict], about: dict) -> str:
    """The Markdown report: a header line per fact, then one row per chapter and the total."""
    lines = [f"# Time per chapter: {about['backend']} backend, LESSONS_SCALE={about['scale']}", "",
             f"- when: {about['when']}",
             f"- accelerator: {about['accelerator']}; {about['cpu_cores']} CPU cores; "
             f"{about['platform']}",
             f"- Keras {about['keras']} on {about['backend']}, Python {about['python']}"
             f"{'; LESSONS_OFFLINE=1' if about['offline'] else ''}",
             f"- command: `{about['command']}`", "",
             "| chapter | seconds | result |", "|---|---:|---|"]
    lines += [f"| {r['chapter']} | {r['seconds']:.0f} | {r['result']} |" for r in rows]
    lines.append(f"| **total** | **{sum(r['seconds'] for r in rows):.0f}** | "
                 f"{sum(r['result'] == 'ok' for r in rows)} of {len(rows)} ok |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=pathlib.Path,
                        help="notebooks to run (default: every chapter of _toc.yml)")
    parser.add_argument("--backend", default="jax", choices=BACKENDS)
    parser.add_argument("--scale", default="full", choices=SCALES)
    parser.add_argument("--offline", action="store_true",
                        help="set LESSONS_OFFLINE=1: generated data, no weight downloads")
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help="results folder (default _build/chapter-times/<backend>-<scale>)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)

    chapters = [p.resolve() for p in args.chapters] or toc_chapters()
    missing = [str(p) for p in chapters if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    out = args.out or ROOT / "_build" / "chapter-times" / f"{args.backend}-{args.scale}"
    out.mkdir(parents=True, exist_ok=True)
    env = environment(args.backend, args.scale, args.offline)
    about = machine(env)
    about.update(scale=args.scale, offline=args.offline, cpu_cores=os.cpu_count(),
                 platform=platform.platform(terse=True),
                 when=datetime.datetime.now().isoformat(timespec="seconds"),
                 command=" ".join(["python", "scripts/run_chapters.py", *(argv or sys.argv[1:])]))
    print(f"run_chapters: {len(chapters)} chapters, {about['backend']} backend (Keras "
          f"{about['keras']}), LESSONS_SCALE={args.scale}, accelerator: {about['accelerator']}",
          flush=True)
    rows = []
    for path in chapters:
        row = run_one(path, out, env, args.timeout)
        rows.append(row)
        print(f"  {row['chapter']:<26} {row['seconds']:>7.0f} s  {row['result']}", flush=True)
    (out / "times.md").write_text(table(rows, about))
    (out / "times.json").write_text(json.dumps({"about": about, "chapters": rows}, indent=2))
    print(f"run_chapters: table in {out / 'times.md'}")
    return 0 if all(r["result"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
