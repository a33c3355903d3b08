"""Every notebook is built from its source in sources/ and saved executed: the two must not drift apart."""

import json
import re
from pathlib import Path

import pytest

from tools.decks import CHECKS
from tools.setup_cell import read_source

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "sources").glob("[0-9][0-9]_*.py"))


def test_every_notebook_has_a_source():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks == [s.stem for s in SOURCES]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source_and_was_run_in_order(source):
    expected = [(c.cell_type, c.source) for c in read_source(source).cells]
    saved = json.loads((ROOT / "notebooks" / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    assert [(c["cell_type"], "".join(c["source"])) for c in saved["cells"]] == expected, (
        f"notebooks/{source.stem}.ipynb is out of date: run `make notebooks NB={source.stem[:2]}`"
    )
    counts = [c["execution_count"] for c in saved["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]


VISIBLE_ASSERTS = 12  # per notebook: the asserts that teach; guard checks go in folded "Checks" cells (AUTHORING.md)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_guard_cells_are_folded_and_a_reader_sees_few_asserts(source):
    saved = json.loads((ROOT / "notebooks" / f"{source.stem}.ipynb").read_text(encoding="utf-8"))
    visible, guards = 0, 0
    for cell in saved["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        if text.startswith(CHECKS):
            guards += 1
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, text[:200]
            assert "checks" in cell["metadata"].get("tags", []), text[:200]
            assert cell["metadata"]["slideshow"]["slide_type"] == "skip", text[:200]
        elif not cell["metadata"].get("jupyter", {}).get("source_hidden"):  # folded solutions are not in the way
            visible += len(re.findall(r"^\s*assert\b", text, re.M))
    assert visible <= VISIBLE_ASSERTS, f"{source.stem}: {visible} asserts in cells a reader sees"
    assert guards > 0, f"{source.stem}: no guard cell"
