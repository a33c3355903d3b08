"""The student edition (student/) and its answer key (tools/student.py).

Fast (in `uv run course.py test`): student/ is what the generator makes from the saved chapters; no solution text is
in it; every exercise is an nbgrader answer cell and a locked test cell, outputs cleared.
Slow (`uv run course.py test-student`, run by CI; marker `student`): each student notebook runs top to bottom with
every checker saying "not yet", and filling the solutions back in from the answer key makes every checker pass;
nbgrader itself makes the same student cells from the answer key and grades an empty and a filled-in submission.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import student
from tools.kernels import execute_notebook

ROOT = Path(__file__).resolve().parent.parent
STEMS = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


def chapter(stem: str):
    return nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)


def saved(stem: str):
    return nbformat.read(ROOT / "student" / f"{stem}.ipynb", as_version=4)


def solution_only_lines(nb) -> set[str]:
    """Lines of the solutions (and their comments) that appear nowhere else in the chapter."""
    elsewhere = {line.strip() for c in nb.cells if not student.is_solution(c) for line in c.source.split("\n")}
    return {line.strip() for c in nb.cells if student.is_solution(c) for line in c.source.split("\n")
            if len(line.strip()) > 3 and line.strip() not in elsewhere}


def text_of(nb) -> str:
    """Everything a student sees: every cell's source and every saved output."""
    return json.dumps([[c.source, c.get("outputs", [])] for c in nb.cells], ensure_ascii=False)


def lines_of(nb) -> set[str]:
    """Every line a student sees, stripped: of every cell's source and every saved text output."""
    texts = [c.source for c in nb.cells]
    texts += [o.get("text", "") or o.get("data", {}).get("text/plain", "") for c in nb.cells
              for o in c.get("outputs", [])]
    return {line.strip() for text in texts for line in text.split("\n")}


def test_every_chapter_has_a_student_edition():
    assert sorted(p.stem for p in (ROOT / "student").glob("*.ipynb")) == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_student_edition_is_what_the_generator_makes_from_the_chapter(stem):
    expected = student.edition(chapter(stem), stem, key=False)
    got = saved(stem)
    assert [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in got.cells] == [
        (c.cell_type, c.source, c.metadata.get("nbgrader")) for c in expected.cells
    ], f"student/{stem}.ipynb is out of date: run `uv run course.py student`"


@pytest.mark.parametrize("stem", STEMS)
def test_the_student_editions_colab_link_opens_the_student_copy(stem):
    title = saved(stem).cells[0].source
    assert f"/blob/main/student/{stem}.ipynb)" in title and f"/blob/main/notebooks/{stem}.ipynb)" not in title, title


@pytest.mark.parametrize("stem", STEMS)
def test_no_solution_text_in_the_student_edition(stem):
    nb = chapter(stem)
    secret = solution_only_lines(nb)
    assert secret, f"{stem}: found no solution lines to look for"
    leaked = sorted(secret & lines_of(saved(stem)))
    assert not leaked, f"student/{stem}.ipynb shows solution lines: {leaked[:5]}"
    shown = text_of(saved(stem))
    assert student.BEGIN not in shown and "# Solution" not in shown
    assert not any(student.is_solution(c) for c in saved(stem).cells)


@pytest.mark.parametrize("stem", STEMS)
def test_each_exercise_is_an_nbgrader_answer_cell_and_a_locked_test_cell_with_outputs_cleared(stem):
    n = len(student.exercises(chapter(stem), stem))
    cells = saved(stem).cells
    graded = [(i, c) for i, c in enumerate(cells) if "nbgrader" in c.metadata]
    assert len(graded) == 2 * n and n >= 2
    for (i, answer), (j, test) in zip(graded[::2], graded[1::2], strict=True):
        assert j == i + 1
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
        assert test.metadata["nbgrader"]["grade"] and test.metadata["nbgrader"]["locked"]
        assert test.metadata["nbgrader"]["points"] == 1
        assert answer.source.endswith(student.CODE_STUB)
        assert any(student.STUB.match(line) for line in answer.source.split("\n"))
        assert student.CHECKER.match(test.source)
        assert answer.outputs == [] and test.outputs == []
    ids = [c.metadata["nbgrader"]["grade_id"] for _, c in graded]
    assert len(set(ids)) == len(ids)


def test_the_answer_key_holds_each_solution_between_nbgraders_markers():
    for stem in STEMS:
        key = student.edition(chapter(stem), stem, key=True)
        answers = [c for c in key.cells if c.metadata.get("nbgrader", {}).get("solution")]
        for e, cell in zip(student.exercises(chapter(stem), stem), answers, strict=True):
            assert f"{student.BEGIN}\n{e.solution}\n{student.END}" in cell.source


def test_a_chapter_exercise_of_another_shape_is_refused_with_its_cell_named():
    nb = nbformat.v4.new_notebook()
    attempt = nbformat.v4.new_code_cell('answer = None\nchecks.check("ex", answer, 3)')
    solution = nbformat.v4.new_code_cell('# Solution: three\nanswer = 3\nchecks.check("ex", answer, 3.0)')
    solution.metadata["jupyter"] = {"source_hidden": True}
    nb.cells = [attempt, solution]
    with pytest.raises(student.ExerciseError, match="its checker lines must be the attempt's, word for word"):
        student.exercises(nb, "demo")
    solution.source = '# Solution: three\nanswer = 3\nchecks.check("ex", answer, 3)'
    attempt.source = 'checks.check("ex", answer, 3)'
    with pytest.raises(student.ExerciseError, match="no stub line"):
        student.exercises(nb, "demo")
    attempt.source = "answer = None"
    with pytest.raises(student.ExerciseError, match="no checker line"):
        student.exercises(nb, "demo")
    nb.cells = [solution]
    with pytest.raises(student.ExerciseError, match="must be the learner's attempt"):
        student.exercises(nb, "demo")


# --- slow: run by `uv run course.py test-student` ------------------------------------------------------------------


def filled(answer_cell, solution: str):
    """An answer cell of the student edition with the answer key's solution where the code stub is."""
    cell = nbformat.v4.new_code_cell(answer_cell.source.replace(student.CODE_STUB, solution))
    cell.metadata["roundtrip"] = "filled"
    return cell


@pytest.mark.student
@pytest.mark.parametrize("stem", STEMS)
def test_student_notebook_runs_saying_not_yet_and_the_answer_key_makes_every_checker_pass(stem):
    """One run: the student notebook top to bottom; after each checker, the answer cell filled from the answer key
    and the same checker again (the kernel keeps the state, so this is the filled-in notebook)."""
    nb = saved(stem)
    solutions = [e.solution for e in student.exercises(chapter(stem), stem)]
    cells, checkers = [], 0
    for cell in nb.cells:
        cells.append(cell)
        if cell.metadata.get("nbgrader", {}).get("grade"):
            again = nbformat.v4.new_code_cell(cell.source)
            again.metadata["roundtrip"] = "check"
            cells += [filled(cells[-2], solutions[checkers]), again]
            checkers += 1
    nb.cells = cells
    assert "NBGRADER_EXECUTION" not in os.environ  # there, a stub fails instead of saying "not yet"
    execute_notebook(nb, ROOT / "student", timeout=900)

    def said(c) -> str:
        return "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")

    first = [said(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    second = [said(c) for c in nb.cells if c.metadata.get("roundtrip") == "check"]
    assert len(first) == len(second) == len(solutions)
    for k, (before, after) in enumerate(zip(first, second, strict=True)):
        assert "⏳" in before and "not yet" in before and "✅" not in before, (k, before)
        assert "✅" in after and "⏳" not in after, (k, after)


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          timeout=900)


@pytest.mark.student
def test_nbgrader_makes_the_same_student_cells_and_grades_empty_and_filled_submissions(tmp_path):
    if importlib.util.find_spec("nbgrader") is None:
        pytest.fail("nbgrader is not installed: run `uv run course.py test-student`, which adds nbgrader==0.9.6")
    course = tmp_path / "course"
    student.write_nbgrader(course)
    for stem in STEMS:
        done = nbgrader(course, "generate_assignment", stem, "--force", "--db", f"sqlite:///{tmp_path}/gb.db")
        assert done.returncode == 0, done.stdout + done.stderr
        released = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
        ours = saved(stem)

        def graded(nb):
            return [(c.source, {k: v for k, v in c.metadata["nbgrader"].items() if k not in ("checksum", "cell_type")})
                    for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")]

        assert graded(released) == graded(ours), stem
    # Autograde notebook 01 twice: the student edition as it is (nothing answered) and filled from the answer key.
    stem = STEMS[0]
    solutions = [e.solution for e in student.exercises(chapter(stem), stem)]
    empty = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    full = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    answers = iter(solutions)
    for cell in full.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = cell.source.replace(student.CODE_STUB, next(answers))
    for who, nb in (("empty", empty), ("full", full)):
        target = course / "submitted" / who / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
        done = nbgrader(course, "autograde", stem, "--create", "--force", "--student", who,
                        "--db", f"sqlite:///{tmp_path}/gb.db")
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path}/gb.db") as gb:
        scores = {who: gb.find_submission(stem, who).score for who in ("empty", "full")}
        total = gb.find_assignment(stem).max_score
    assert total == len(solutions)
    assert scores == {"empty": 0, "full": total}, scores

