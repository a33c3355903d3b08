#!/usr/bin/env python3
"""Build the notebooks from sources/, executed top to bottom: the chapters (notebooks/NN_*.ipynb from
sources/NN_*.py), their slide decks (slides/NN_*.ipynb from sources/slides/NN_*.py, tools/decks.py) and the student
edition (student/, tools/student.py, derived from the executed chapters without a kernel).

Usage: python -m tools.build_notebooks [01 02 ...] [--only chapters|slides]   (no number: every notebook)
Each notebook is executed in a fresh kernel from its folder (as JupyterLab and nbval run it), with widget state
stored in its metadata, and saved only if every cell ran without error. While a chapter runs, CONVNETS_SHIP=write
lets it save the results its deck loads (helpers/shipped.py); under nbval the same cells check them instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

import nbformat

from tools import decks, lessons, student
from tools.kernels import execute_notebook
from tools.setup_cell import read_source

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def slide_type(cell) -> str:
    """A chapter's RISE metadata: a new slide at each '#'/'##' heading, a sub-slide at '###', skip guard cells, else
    continue. (The projector edition is the deck in slides/; a chapter shown as slides scrolls.)"""
    if decks.is_checks(cell) or decks.is_maintenance(cell):
        return "skip"
    level = decks.heading_level(cell)
    return {1: "slide", 2: "slide", 3: "subslide"}.get(level, "-")


def chapter(source: Path) -> nbformat.NotebookNode:
    """A chapter as the notebook it builds, before execution."""
    nb = read_source(source)  # the source, plus the Colab link and the set-up cell
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "rise": {"scroll": True}}
    for cell in nb.cells:
        cell.metadata.pop("lines_to_next_cell", None)
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
        if decks.is_checks(cell) or decks.is_maintenance(cell):
            cell.metadata["jupyter"] = {"source_hidden": True}  # JupyterLab shows a fold; a click opens it
            cell.metadata["tags"] = ["checks" if decks.is_checks(cell) else "maintenance"]
    return nb


def deck(source: Path) -> nbformat.NotebookNode:
    """A slide deck as the notebook it builds, before execution."""
    nb = decks.read_deck(source)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "rise": dict(decks.RISE)}
    return nb


def execute_and_save(nb: nbformat.NotebookNode, target: Path, env: dict[str, str] | None = None) -> Path:
    """Execute `nb` in a fresh kernel started in the target's folder and save it there (only if no cell raised)."""
    start = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)  # the kernel starts there
    with mock.patch.dict(os.environ, env or {}):  # the kernel inherits the build's environment
        execute_notebook(nb, target.parent, timeout=int(os.environ.get("CELL_TIMEOUT", 900)),
                         store_widget_state=True, record_timing=False)
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {k: v for k, v in nb.metadata.get("language_info", {}).items()
                                    if k in ("name", "version", "mimetype", "file_extension")}
    nbformat.write(nb, target)
    print(f"{target.relative_to(ROOT)}: executed in {time.perf_counter() - start:.1f} s", flush=True)
    return target


def build(source: Path) -> Path:
    """Convert, execute and save one chapter (it ships its deck's results meanwhile); returns its path."""
    return execute_and_save(chapter(source), ROOT / "notebooks" / f"{source.stem}.ipynb", {"CONVNETS_SHIP": "write"})


def build_deck(source: Path) -> Path:
    """Convert, execute and save one deck (and slides/rise.css, the decks' style); returns its path."""
    decks.DECKS.mkdir(exist_ok=True)
    (decks.DECKS / "rise.css").write_text(decks.RISE_CSS, encoding="utf-8")
    return execute_and_save(deck(source), decks.DECKS / f"{source.stem}.ipynb")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers, e.g. 01 06 (default: all)")
    parser.add_argument("--only", choices=["chapters", "slides"], help="build only the chapters or only the decks")
    args = parser.parse_args(argv)
    chapters = sorted((ROOT / "sources").glob("[0-9][0-9]_*.py"))
    slides = decks.deck_sources()
    if args.numbers:
        chapters = [s for s in chapters if s.name[:2] in args.numbers]
        slides = [s for s in slides if s.name[:2] in args.numbers]
        if not chapters and not slides:
            print(f"no source in sources/ matches {args.numbers}", file=sys.stderr)
            return 1
    lessons.write()  # the `# @save` cells, for the notebooks that import them
    if args.only != "slides":
        for source in chapters:
            build(source)
            student.write(source.stem)
    if args.only != "chapters":
        for source in slides:
            build_deck(source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
