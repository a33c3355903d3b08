#!/usr/bin/env python3
"""Build notebooks/NN_*.ipynb from sources/NN_*.py (jupytext percent format), executed top to bottom.

Usage: python -m tools.build_notebooks [01 02 ...]   (no argument: every source)
Each notebook is executed in a fresh kernel from notebooks/ (as JupyterLab and nbval run it), with widget state
stored in its metadata, and saved only if every cell ran without error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat

from tools import lessons
from tools.kernels import execute_notebook
from tools.setup_cell import read_source

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "# Checks for this section"  # first line of a guard cell: folded in JupyterLab, left out of slides and site
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def is_checks(cell) -> bool:
    """A guard cell: checks that nbval runs and a reader may skip."""
    return cell.cell_type == "code" and cell.source.startswith(CHECKS)


def slide_type(cell) -> str:
    """RISE slide metadata: a new slide at each '#'/'##' heading, a sub-slide at '###', skip guard cells, else
    continue."""
    if is_checks(cell):
        return "skip"
    if cell.cell_type == "markdown":
        first = cell.source.lstrip().split("\n", 1)[0]
        if first.startswith(("# ", "## ")):
            return "slide"
        if first.startswith("### "):
            return "subslide"
    return "-"


def build(source: Path) -> Path:
    """Convert, execute and save one notebook; returns its path."""
    nb = read_source(source)  # the source, plus the Colab link and the set-up cell
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
        if is_checks(cell):
            cell.metadata["jupyter"] = {"source_hidden": True}  # JupyterLab shows a fold; a click opens it
            cell.metadata["tags"] = ["checks"]
    start = time.perf_counter()
    execute_notebook(nb, ROOT / "notebooks", timeout=int(os.environ.get("CELL_TIMEOUT", 900)),
                     store_widget_state=True, record_timing=False)
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {k: v for k, v in nb.metadata.get("language_info", {}).items()
                                    if k in ("name", "version", "mimetype", "file_extension")}
    target = ROOT / "notebooks" / f"{source.stem}.ipynb"
    nbformat.write(nb, target)
    print(f"{target.relative_to(ROOT)}: executed in {time.perf_counter() - start:.1f} s")
    return target


def main(args: list[str]) -> int:
    sources = sorted((ROOT / "sources").glob("[0-9][0-9]_*.py"))
    if args:
        sources = [s for s in sources if s.name[:2] in args]
        if not sources:
            print(f"no source in sources/ matches {args}", file=sys.stderr)
            return 1
    lessons.write()  # the `# @save` cells, for the notebooks that import them
    for source in sources:
        build(source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
