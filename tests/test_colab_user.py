"""Play a Colab user: a bare Python 3.12 with only torch, torchvision, matplotlib, numpy and ipywidgets (and the
kernel Colab runs them in), no `helpers`, no data. The notebooks' first code cell must install the course from its
repository (a local copy stands in for the GitHub URL) and prepare MNIST; then notebooks 01 and 06 run top to
bottom and print what the saved notebooks print.

Needs the package registry (it builds an environment): `uv run course.py test-colab`, not part of `course.py test`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from course import find_python
from tools.kernels import execute_notebook
from tools.setup_cell import SETUP

ROOT = Path(__file__).resolve().parents[1]
COLAB_PACKAGES = ["torch==2.14.1", "torchvision==0.29.1", "matplotlib", "numpy", "ipywidgets", "ipykernel"]
NOTEBOOKS = ["01_cross_correlation", "06_lenet"]
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv*", ".uv", "data", "build", "site", "test-artifacts",
                                     "__pycache__", "*.egg-info")


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        pytest.fail("this test builds an environment with uv: run it as `uv run course.py test-colab`")
    return found


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _text_outputs(cell) -> list[str]:
    """Stream text and plain-text results; consecutive writes to one stream joined, since ipykernel may send
    `print`'s text and its newline in two messages (nbval joins them the same way)."""
    out: list[str] = []
    last_stream = None
    for o in cell.outputs:
        if o.output_type == "stream":
            if last_stream == o.name:
                out[-1] += o.text
            else:
                out.append(o.text)
            last_stream = o.name
        else:
            if o.output_type == "execute_result":
                out.append(json.dumps(o.get("data", {}).get("text/plain", "")))
            last_stream = None
    return out


@pytest.mark.install
def test_a_colab_user_runs_notebooks_01_and_06(tmp_path):
    uv, venv = _uv(), tmp_path / "colab-venv"
    _run([uv, "venv", "--seed", "--python", find_python("3.12"), venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([uv, "pip", "install", "--python", python, *COLAB_PACKAGES])
    outside = tmp_path  # not the repository: there `helpers` would be found in the current folder
    assert _run([python, "-c", "import importlib.util as u; print(u.find_spec('helpers'))"],
                cwd=outside).stdout.strip() == "None"

    repo = tmp_path / "repo"  # stands in for https://github.com/convnets-lab/convnets-lab
    shutil.copytree(ROOT, repo, ignore=COPY_IGNORE)
    kernels = tmp_path / "kernels"
    _run([python, "-m", "ipykernel", "install", "--prefix", kernels, "--name", "colab"])
    home, work = tmp_path / "home", tmp_path / "content"  # Colab's working folder is /content
    home.mkdir()
    work.mkdir()
    env = {"JUPYTER_PATH": str(kernels / "share" / "jupyter"), "HOME": str(home), "USERPROFILE": str(home),
           "CONVNETS_LAB_REPO": repo.as_uri(), "CONVNETS_DATA": "", "PYTHONPATH": ""}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for stem in NOTEBOOKS:
            saved = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
            nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
            assert nb.cells[1].source == SETUP
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            execute_notebook(nb, work, timeout=900, kernel_name="colab")  # raises on the first failing cell
            for new, old_cell in zip(nb.cells, saved.cells, strict=True):
                if new.cell_type == "code" and "NBVAL_IGNORE_OUTPUT" not in new.source and new is not nb.cells[1]:
                    assert _text_outputs(new) == _text_outputs(old_cell), f"{stem}: {new.source[:300]}"
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    installed = _run([python, "-c", "import helpers, mnist, d2l; print(helpers.__file__)"], cwd=outside).stdout
    assert "site-packages" in installed, installed  # installed from the repository, not found in a checkout
    assert (home / "convnets-lab-data" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file()
