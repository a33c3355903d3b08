"""The slide edition: one deck per notebook, built from sources/slides/NN_name.py (AUTHORING.md, "Slide decks").

A deck source is a jupytext percent file like a chapter's, written for a 1280×720 projector, with these marks in
the cell headers:

- `# %% [markdown] minutes=3 core=true`: a `#`/`##` heading starts a slide (a section of the class); `minutes` is
  the talk time, `core=true` puts it in the 45-minute path (every slide is in the 90-minute path). A `###` heading
  starts a sub-slide.
- `# %% [markdown] slide="notes"`: speaker notes (RISE shows them in the speaker view only). Every slide and
  sub-slide has at least one.
- `# %% slide="sub"` starts a sub-slide at a cell without a heading (an explorer, long code); `slide="skip"` keeps a
  maintenance cell out of the slides.
- `# %% include="def corr2d("`: the cell is the chapter's code cell that contains this text (exactly one), so the
  lesson's code is written once, in the chapter (its `# @save` line left out).
- A code cell whose first line is `# NBVAL_IGNORE_OUTPUT` (an explorer, a timing) gets nbval's tag
  `nbval-ignore-output` instead of that line, which would only clutter the slide.
- A markdown cell whose first line starts with `### Predict:` asks the class a question; its notes hold the expected
  answer on a line starting `**Answer:**`; the next cell (the one that shows the answer) starts a new sub-slide.

Guard cells ("# Checks for this section"), the set-up cell and `slide="skip"` cells are skipped in the slides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from tools.setup_cell import add_setup

ROOT = Path(__file__).resolve().parent.parent
DECK_SOURCES = ROOT / "sources" / "slides"
DECKS = ROOT / "slides"
CHECKS = "# Checks for this section"
SAVE, IGNORE = "# @save", "# NBVAL_IGNORE_OUTPUT"
SHIPS = "# For the slide deck"  # a chapter's maintenance cell: helpers.shipped.ship(...) after a long run
PREDICT = "### Predict:"
ANSWER = "**Answer:**"
SLIDE_TYPES = {"slide": "slide", "sub": "subslide", "notes": "notes", "skip": "skip", "fragment": "fragment"}
# RISE settings a deck carries (notebook metadata): start at the first slide, never scroll (a slide must fit), and
# reveal's "white" theme, whose fonts come with RISE (the default "simple" theme asks Google for its fonts).
RISE = {"start_slideshow_at": "beginning", "scroll": False, "theme": "white", "transition": "none",
        "enable_chalkboard": True, "slideNumber": "c/t"}


CORE_MINUTES, FULL_MINUTES = (30, 42), (70, 85)  # talk minutes of the 45- and 90-minute paths, before cell run time


# slides/rise.css, which RISE loads beside a deck: reveal's "white" theme writes headings in capitals, maths and code
# names too ("(n−1)s" becomes "(N−1)S"); keep them as written.
RISE_CSS = """/* Written by tools/decks.py (the deck build): RISE loads it for every deck in this folder. */
.reveal h1, .reveal h2, .reveal h3, .reveal h4 { text-transform: none; }
"""


class DeckError(ValueError):
    """A deck source breaks one of the rules above; the message names the deck and the cell."""


@dataclass
class Section:
    """One `#`/`##` slide of a deck with its sub-slides: what the teacher's guide lists."""

    title: str
    minutes: float
    core: bool
    predicts: list[tuple[str, str]] = field(default_factory=list)  # (question, expected answer)
    code_cells: list[int] = field(default_factory=list)  # indexes of the deck's code cells on these slides


def cell_key(source: str) -> str:
    """A deck cell's identity for its run time (`make bench`, the teacher's guide): a digest of its source."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def deck_sources() -> list[Path]:
    """Every deck source, in course order."""
    return sorted(DECK_SOURCES.glob("[0-9][0-9]_*.py"))


def chapter_source(deck: Path) -> Path:
    """The chapter a deck presents: sources/NN_name.py for sources/slides/NN_name.py."""
    return ROOT / "sources" / deck.name


def heading_level(cell) -> int:
    """1, 2 or 3 for a markdown cell that starts with '# ', '## ' or '### '; else 0."""
    if cell.cell_type != "markdown":
        return 0
    first = cell.source.lstrip().split("\n", 1)[0]
    for level in (3, 2, 1):
        if first.startswith("#" * level + " "):
            return level
    return 0


def is_checks(cell) -> bool:
    """A guard cell: asserts that nbval runs and a reader may skip."""
    return cell.cell_type == "code" and cell.source.startswith(CHECKS)


def is_maintenance(cell) -> bool:
    """A chapter's maintenance cell, which ships a long run's results for its deck (helpers/shipped.py)."""
    return cell.cell_type == "code" and cell.source.startswith(SHIPS)


def resolve_include(deck: Path, text: str, chapter_cells) -> str:
    """The source of the one chapter code cell that contains `text`."""
    found = [c.source for c in chapter_cells if c.cell_type == "code" and text in c.source]
    if len(found) != 1:
        raise DeckError(f"{deck.name}: include={text!r} matches {len(found)} code cells of "
                        f"{chapter_source(deck).relative_to(ROOT)}; it must match exactly one")
    return found[0]


def slide_types(deck: Path, cells) -> list[str]:
    """RISE's slide type of every cell of a deck (the set-up cell included)."""
    types: list[str] = []
    after_predict = False
    for cell in cells:
        mark = cell.metadata.get("deck", {}).get("slide")
        if mark is not None:
            kind = SLIDE_TYPES[mark]
        elif cell.metadata.get("setup") or is_checks(cell):
            kind = "skip"
        elif heading_level(cell) in (1, 2):
            kind = "slide"
        elif heading_level(cell) == 3:
            kind = "subslide"
        else:
            kind = "-"
        if after_predict and kind not in ("notes", "skip"):
            if kind in ("-", "fragment"):
                kind = "subslide"  # the answer goes on the next slide, never beside the question
            after_predict = False
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(PREDICT):
            after_predict = True
        types.append(kind)
    return types


def read_deck(deck: Path) -> nbformat.NotebookNode:
    """A deck source as the notebook it builds: includes resolved, set-up cell added, slide metadata set."""
    nb = jupytext.read(deck, fmt="py:percent")
    chapter = jupytext.read(chapter_source(deck), fmt="py:percent").cells
    for cell in nb.cells:
        marks = {k: cell.metadata.pop(k) for k in ("slide", "include", "minutes", "core") if k in cell.metadata}
        cell.metadata.pop("lines_to_next_cell", None)
        if "slide" in marks and marks["slide"] not in SLIDE_TYPES:
            raise DeckError(f"{deck.name}: slide={marks['slide']!r}; expected one of {sorted(SLIDE_TYPES)}")
        if "include" in marks:
            if cell.source.strip():
                raise DeckError(f"{deck.name}: a cell with include={marks['include']!r} must be empty; it holds "
                                f"{cell.source[:60]!r}")
            cell.source = resolve_include(deck, marks.pop("include"), chapter)
            if cell.source.startswith(SAVE):  # the chapter's marker for helpers.lessons means nothing on a slide
                cell.source = cell.source[len(SAVE):].lstrip("\n")
        if cell.cell_type == "code" and cell.source.startswith(IGNORE):  # nbval's tag instead of a comment line
            cell.source = cell.source[len(IGNORE):].lstrip("\n")
            cell.metadata["tags"] = ["nbval-ignore-output"]
        if marks:
            cell.metadata["deck"] = marks
    nb = add_setup(nb, deck.stem, folder="slides")
    nb.cells[1].metadata["setup"] = True
    for cell, kind in zip(nb.cells, slide_types(deck, nb.cells), strict=True):
        cell.metadata["slideshow"] = {"slide_type": kind}
        if kind == "skip" and cell.cell_type == "code":
            cell.metadata["jupyter"] = {"source_hidden": True}  # folded in JupyterLab too
        if is_checks(cell):
            cell.metadata["tags"] = ["checks"]
    check_deck(deck, nb)
    return nb


def slides_of(nb) -> list[list[int]]:
    """The cells of each slide and sub-slide, as lists of cell indexes (skipped cells left out)."""
    slides: list[list[int]] = []
    for i, cell in enumerate(nb.cells):
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind == "skip":
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append([])
        slides[-1].append(i)
    return slides


def first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0]


def answer_of(notes: str) -> str:
    """The expected answer in a predict question's notes: the paragraph that starts with '**Answer:**'."""
    lines = notes.split(ANSWER, 1)[1].split("\n")
    paragraph = []
    for line in lines:
        if not line.strip() or (paragraph and line.lstrip().startswith("**")):
            break
        paragraph.append(line.strip())
    return " ".join(paragraph).strip()


def sections(nb) -> list[Section]:
    """The deck's `#`/`##` slides with their minutes, path, predict questions and code cells."""
    out: list[Section] = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        kind = cell.metadata["slideshow"]["slide_type"]
        marks = cell.metadata.get("deck", {})
        if kind == "slide":
            title = first_line(cell).lstrip("# ").strip() if cell.cell_type == "markdown" else "(untitled)"
            out.append(Section(title, float(marks.get("minutes", 0)), bool(marks.get("core", False))))
        if not out or kind == "skip":
            continue
        if cell.cell_type == "code" and kind != "notes":
            out[-1].code_cells.append(i)
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith(PREDICT):
            question = first_line(cell)[len(PREDICT):].strip()
            rest = cell.source.lstrip().split("\n", 1)
            if len(rest) > 1 and rest[1].strip():
                question += " " + " ".join(rest[1].split())
            answer = next((answer_of(c.source) for c in cells[i + 1:i + 4]
                           if c.metadata["slideshow"]["slide_type"] == "notes" and ANSWER in c.source), "")
            out[-1].predicts.append((question, answer))
    return out


def check_deck(deck: Path, nb) -> None:
    """The rules of the module docstring that a deck's cells can break."""
    cells = nb.cells
    for slide in slides_of(nb):
        head = cells[slide[0]]
        where = f"{deck.name}, the slide that starts with {first_line(head)[:70]!r}"
        if not any(cells[i].metadata["slideshow"]["slide_type"] == "notes" for i in slide):
            raise DeckError(f"{where}: no speaker notes (a `# %% [markdown] slide=\"notes\"` cell)")
        if head.metadata["slideshow"]["slide_type"] == "slide" and "minutes" not in head.metadata.get("deck", {}):
            raise DeckError(f"{where}: a slide needs minutes=N (talk time) in its cell header")
    found = sections(nb)
    predicts = [p for s in found for p in s.predicts]
    if len(predicts) < 3:
        raise DeckError(f"{deck.name}: {len(predicts)} predict questions ('{PREDICT} ...'); a deck needs at least 3")
    for question, answer in predicts:
        if not answer:
            raise DeckError(f"{deck.name}: the predict question {question[:60]!r} has no '{ANSWER}' line in the "
                            "notes right after it")
    for cell in cells:
        if cell.metadata["slideshow"]["slide_type"] != "skip" and re.search(r"^\s*# Solution\b", cell.source, re.M):
            raise DeckError(f"{deck.name}: an exercise's solution is on a slide: {first_line(cell)[:60]!r}")
    core = sum(s.minutes for s in found if s.core)
    total = sum(s.minutes for s in found)
    if not CORE_MINUTES[0] <= core <= CORE_MINUTES[1]:
        raise DeckError(f"{deck.name}: the core=true slides add up to {core:g} minutes of talk; the 45-minute path "
                        f"needs {CORE_MINUTES[0]}-{CORE_MINUTES[1]} (room for running the cells)")
    if not FULL_MINUTES[0] <= total <= FULL_MINUTES[1]:
        raise DeckError(f"{deck.name}: all slides add up to {total:g} minutes; the 90-minute path needs "
                        f"{FULL_MINUTES[0]}-{FULL_MINUTES[1]} (an in-class exercise slide can fill it)")
