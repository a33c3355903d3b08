"""Every notebook is built from its source in sources/ and saved executed: the two must not drift apart."""

import json
from pathlib import Path

import pytest

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
