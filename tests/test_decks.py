"""The slide decks (slides/, built from sources/slides/ by tools/decks.py): in sync with their sources, one per
chapter, and the rules a deck must keep (notes on every slide, predict questions answered on the next slide, no
solution, guard or set-up cell on a slide, the two paths' minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import decks

ROOT = Path(__file__).resolve().parent.parent
SOURCES = decks.deck_sources()


def test_every_chapter_has_a_deck():
    chapters = sorted(p.stem for p in (ROOT / "sources").glob("[0-9][0-9]_*.py"))
    assert [s.stem for s in SOURCES] == chapters
    assert sorted(p.stem for p in decks.DECKS.glob("[0-9][0-9]_*.ipynb")) == chapters


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_deck_matches_its_source_and_was_run_in_order(source):
    expected = decks.read_deck(source)
    saved = json.loads((decks.DECKS / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    assert [(c["cell_type"], "".join(c["source"]), c["metadata"]["slideshow"]) for c in saved["cells"]] == [
        (c.cell_type, c.source, c.metadata["slideshow"]) for c in expected.cells
    ], f"slides/{source.stem}.ipynb is out of date: run `uv run course.py notebooks {source.stem[:2]} --only slides`"
    counts = [c["execution_count"] for c in saved["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert saved["metadata"]["rise"] == decks.RISE


def test_the_decks_style_sheet_is_the_builds():
    assert (decks.DECKS / "rise.css").read_text(encoding="utf-8") == decks.RISE_CSS


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_guard_setup_or_solution_cell_is_on_a_slide(source):
    nb = decks.read_deck(source)
    for cell in nb.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if decks.is_checks(cell) or cell.metadata.get("setup"):
            assert kind == "skip", cell.source[:80]
        if kind != "skip":
            assert "# Solution" not in cell.source and "### BEGIN SOLUTION" not in cell.source, cell.source[:80]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_predict_question_is_answered_on_the_next_slide(source):
    nb = decks.read_deck(source)
    slides = decks.slides_of(nb)
    asked = 0
    for k, slide in enumerate(slides):
        if any(nb.cells[i].source.lstrip().startswith(decks.PREDICT) for i in slide):
            asked += 1
            assert not any(nb.cells[i].cell_type == "code" for i in slide), "the answer is on the question's slide"
            assert any(nb.cells[i].cell_type == "code" for i in slides[k + 1]), "the next slide runs no cell"
    assert asked >= 3


def write_deck(tmp_path: Path, text: str) -> Path:
    """A deck source in a temporary folder, named after chapter 01 so that its includes resolve there."""
    path = tmp_path / "01_cross_correlation.py"
    path.write_text(text, encoding="utf-8")
    return path


PREDICT3 = "".join(f'''
# %% [markdown]
# ### Predict: question {k}?

# %% [markdown] slide="notes"
# **Answer:** answer {k}.

# %%
print({k})

# %% [markdown] slide="notes"
# Say: it printed {k}.
''' for k in (1, 2, 3))

GOOD = f'''# %% [markdown] minutes=35 core=true
# # 01 · Title

# %% [markdown] slide="notes"
# Say hello.

# %% include="def corr2d("
{PREDICT3}
# %% [markdown] minutes=40
# ## More

# %% [markdown] slide="notes"
# Say more.
'''


def test_a_good_deck_builds_with_its_include_predicts_and_paths(tmp_path):
    nb = decks.read_deck(write_deck(tmp_path, GOOD))
    assert nb.cells[1].metadata["setup"] and nb.cells[1].metadata["slideshow"]["slide_type"] == "skip"
    included = next(c for c in nb.cells if "def corr2d(" in c.source)
    assert not included.source.startswith("# @save")  # the chapter's marker is left out
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells if c.source.startswith("print(")]
    assert kinds == ["subslide"] * 3
    found = decks.sections(nb)
    assert [(s.title, s.minutes, s.core) for s in found] == [("01 · Title", 35, True), ("More", 40, False)]
    assert found[0].predicts == [(f"question {k}?", f"answer {k}.") for k in (1, 2, 3)]


@pytest.mark.parametrize(("change", "message"), [
    (("# %% [markdown] slide=\"notes\"\n# Say more.\n", ""), "no speaker notes"),
    (("minutes=40", "core=false"), "needs minutes=N"),
    (("minutes=40", "minutes=10"), "all slides add up to 45 minutes"),
    (("minutes=35 core=true", "minutes=50 core=true"), "the core=true slides add up to 50 minutes"),
    (("def corr2d(", "no such code"), "matches 0 code cells"),
    (("def corr2d(", "torch"), "must match exactly one"),
    (("**Answer:** answer 2.", "answer 2."), "has no '**Answer:**' line"),
    (("### Predict: question 3?", "### A question 3?"), "2 predict questions"),
    (("print(1)", "# Solution: 1\nprint(1)"), "an exercise's solution is on a slide"),
    (("slide=\"notes\"\n# Say hello.", "slide=\"speaker\"\n# Say hello."), "slide='speaker'; expected one of"),
])
def test_a_deck_that_breaks_a_rule_is_refused_with_the_rule_named(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(decks.DeckError, match=message.replace("*", r"\*").replace("(", r"\(")):
        decks.read_deck(write_deck(tmp_path, GOOD.replace(old, new, 1)))


def test_an_include_cell_must_be_empty(tmp_path):
    with pytest.raises(decks.DeckError, match="must be empty"):
        decks.read_deck(write_deck(tmp_path, GOOD.replace('include="def corr2d("\n', 'include="def corr2d("\nx = 1\n')))
