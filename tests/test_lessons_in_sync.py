"""helpers/lessons.py is exactly what the `# @save` cells of sources/ generate, and it imports cleanly."""

import importlib

import pytest

from tools import lessons


def test_lessons_module_matches_the_saved_cells():
    assert lessons.TARGET.read_text(encoding="utf-8") == lessons.render(), (
        "helpers/lessons.py is out of date: run `python -m tools.lessons` (or rebuild a notebook)")


def test_saved_lesson_code_is_importable():
    module = importlib.import_module("helpers.lessons")
    for name in ("corr2d", "corr2d_unfold", "receptive_field", "lenet"):
        assert callable(getattr(module, name)), name


def test_a_saved_cell_may_not_run_code(tmp_path):
    source = tmp_path / "99_demo.py"
    source.write_text("# %%\n# @save\ndef f():\n    return 1\n\n\nprint(f())\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"99_demo.py: a '# @save' cell may hold only imports, functions and classes"
                                         r".*line 5 is a Expr"):
        lessons.render([source])
