"""The teacher's guide (TEACHING.md) is what tools/build_teaching.py makes, every deck cell in it was timed by
`make bench`, and the README links it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import build_teaching, decks

ROOT = Path(__file__).resolve().parent.parent


def test_teaching_md_is_generated_from_its_sources():
    assert (ROOT / "TEACHING.md").read_text(encoding="utf-8") == build_teaching.render(), (
        "TEACHING.md is out of date: run `uv run course.py teaching`")


@pytest.mark.parametrize("source", decks.deck_sources(), ids=lambda p: p.stem)
def test_every_deck_cell_has_its_run_time_from_make_bench(source):
    missing = build_teaching.unmeasured(source.stem)
    assert not missing, (f"{source.stem}: cells not timed in their current form: {missing[:3]}; run "
                         "`uv run course.py bench --only slides`, then `uv run course.py teaching`")


def test_the_guide_has_both_paths_and_the_hand_out_links_for_every_chapter():
    text = (ROOT / "TEACHING.md").read_text(encoding="utf-8")
    for source in decks.deck_sources():
        section = text.split(f"Deck `slides/{source.stem}.ipynb`", 1)[1].split("\n## ", 1)[0]
        assert "**45-minute path**" in section and "**90-minute path**" in section, source.stem
        assert "**Answer:**" in section and f"student/{source.stem}.ipynb" in section, source.stem
    assert "nbgitpuller" in text and "Colab" in text and "Binder" in text


def test_the_readme_links_the_teachers_guide():
    assert "(TEACHING.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
