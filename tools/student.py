"""The student edition (student/NN_name.ipynb) and its answer key, derived from the executed chapters, in nbgrader's
conventions (https://nbgrader.readthedocs.io): no kernel runs, so `uv run course.py student` takes a second.

Each exercise of a chapter is two cells: the learner's attempt (set-up lines, one or more stubs `name = None`, then
the checker lines, from the first call of `checks.*` or of the chapter's own `check_*`) and, right after it, the
folded solution (its code, then the same checker lines). Each becomes two cells here:

- an *answer cell* (nbgrader "autograded answer": solution=true): the attempt's set-up and stubs, then, in the answer
  key only, the solution between `### BEGIN SOLUTION` and `### END SOLUTION`. In the student edition that region is
  nbgrader's code stub, `CODE_STUB`;
- a *test cell* (nbgrader "autograder tests": grade=true, locked, 1 point): the checker lines. They say "not yet"
  with a hint for a stub, ✅ for a right answer, and raise for a wrong one (and for a stub under nbgrader's
  autograder and validator, which set NBGRADER_EXECUTION).

The folded solution cells are left out of the student edition, and the outputs of exercise cells are cleared.
`write_nbgrader(folder)` writes an nbgrader course folder (nbgrader_config.py with this code stub, and source/ with
the answer keys), from which `nbgrader generate_assignment NN_name` makes the student edition's exercise cells.
"""

from __future__ import annotations

import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools import setup_cell

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "notebooks"
STUDENT = ROOT / "student"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = "# Your answer: replace the None above, then run this cell and the checker below."
STUB = re.compile(r"^(\w+) = None\b")
NOTE = ("> **Student edition.** The exercises' solutions are not in this copy: each checker says \"not yet\" until "
        "you answer, then ✅ or a hint. The full chapter, with solutions, is `notebooks/{stem}.ipynb`.")
NBGRADER_CONFIG = f'''\
# nbgrader's configuration for the convnets-lab exercises (written by `uv run course.py student`).
c = get_config()  # noqa: F821
# What replaces a solution in the student edition: the stubs above it stay, so the notebook runs top to bottom and
# each checker says "not yet".
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
'''


class ExerciseError(ValueError):
    """A chapter's exercise does not have the attempt + solution shape; the message names the notebook and cell."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: the attempt cell's index, its set-up and stub lines, the solution's code, the checker lines."""

    attempt: int
    setup: str
    solution: str
    checker: str


def is_solution(cell) -> bool:
    """A folded solution: a code cell whose input is hidden that is neither a guard nor a maintenance cell."""
    return (cell.cell_type == "code" and cell.metadata.get("jupyter", {}).get("source_hidden") is True
            and not {"checks", "maintenance"} & set(cell.metadata.get("tags", [])))


CHECKER = re.compile(r"^(checks\.\w+|check_\w+)\(")  # helpers.checks' checkers, or a chapter's own check_*()


def split_checker(text: str) -> tuple[str, str]:
    """(the lines before the first line that calls a checker, that line and everything after it)."""
    lines = text.rstrip("\n").split("\n")
    at = next((i for i, line in enumerate(lines) if CHECKER.match(line)), None)
    if at is None:
        return text.rstrip("\n"), ""
    return "\n".join(lines[:at]).rstrip("\n"), "\n".join(lines[at:])


def exercises(nb, name: str) -> list[Exercise]:
    """The exercises of an executed chapter, each checked for the attempt + solution shape."""
    found = []
    for i, cell in enumerate(nb.cells):
        if not is_solution(cell):
            continue
        attempt = nb.cells[i - 1] if i else None
        where = f"{name}, the solution cell that starts {cell.source[:50]!r}"
        if attempt is None or attempt.cell_type != "code" or is_solution(attempt):
            raise ExerciseError(f"{where}: the cell before it must be the learner's attempt (a code cell)")
        setup, checker = split_checker(attempt.source)
        body, solution_checker = split_checker(cell.source)
        if not checker:
            raise ExerciseError(f"{where}: its attempt cell has no checker line (starting `checks.` or `check_`)")
        if not any(STUB.match(line) for line in setup.split("\n")):
            raise ExerciseError(f"{where}: its attempt cell has no stub line like `answer = None` before the checker")
        if solution_checker != checker:
            raise ExerciseError(f"{where}: its checker lines must be the attempt's, word for word.\nattempt:  "
                                f"{checker!r}\nsolution: {solution_checker!r}")
        found.append(Exercise(i - 1, setup, body, checker))
    return found


def _cell(source: str, grade_id: str, test: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.id = grade_id  # stable, so that rebuilding the edition changes nothing (nbgrader's ids are its grade ids)
    cell.metadata["nbgrader"] = {"grade": test, "solution": not test, "locked": test, "grade_id": grade_id,
                                 "schema_version": 3, **({"points": 1} if test else {})}
    return cell


def edition(chapter, name: str, key: bool) -> nbformat.NotebookNode:
    """The student edition of an executed chapter (`key=False`), or its answer key (`key=True`)."""
    found = {e.attempt: e for e in exercises(chapter, name)}
    nb = copy.deepcopy(chapter)
    cells = []
    for i, cell in enumerate(nb.cells):
        if i in found:
            e, k = found[i], 1 + sorted(found).index(i)
            region = f"{BEGIN}\n{e.solution}\n{END}" if key else CODE_STUB
            cells += [_cell(f"{e.setup}\n{region}", f"{name}-ex{k}-answer", test=False),
                      _cell(e.checker, f"{name}-ex{k}-check", test=True)]
        elif not is_solution(cell):
            cells.append(cell)
    if not key:
        first = cells[0]
        title, _, rest = first.source.partition("\n")
        rest = rest.replace(setup_cell.colab_line(name), setup_cell.colab_line(name, "student"))  # open this copy
        first.source = f"{title}\n\n{NOTE.format(stem=name)}\n{rest}"
    nb.cells = cells
    return nb


def write(stem: str) -> Path:
    """Write student/STEM.ipynb from notebooks/STEM.ipynb; returns its path."""
    chapter = nbformat.read(CHAPTERS / f"{stem}.ipynb", as_version=4)
    STUDENT.mkdir(exist_ok=True)
    target = STUDENT / f"{stem}.ipynb"
    nbformat.write(edition(chapter, stem, key=False), target)
    return target


def write_nbgrader(folder: Path, stems: list[str] | None = None) -> list[Path]:
    """An nbgrader course folder: nbgrader_config.py and source/NN_name/NN_name.ipynb (the answer keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    written = []
    for path in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")):
        if stems is not None and path.stem not in stems:
            continue
        target = folder / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(edition(nbformat.read(path, as_version=4), path.stem, key=True), target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    stems = [p.stem for p in sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))]
    for stem in stems:
        print(f"wrote {write(stem).relative_to(ROOT)}")
    folder = Path(argv[0]) if argv else ROOT / "build" / "nbgrader"
    write_nbgrader(folder)
    print(f"wrote an nbgrader course folder in {folder} (answer keys in source/; see TEACHING.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
