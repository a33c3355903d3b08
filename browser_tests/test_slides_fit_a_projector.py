"""Every slide of every deck (slides/) fits a 1280×720 projector in RISE, with its outputs and explorers drawn.

As a teacher would: open the deck in JupyterLab, run every cell, save, then present it in RISE (its /rise/ page, the
same kernel) at 1280×720, RISE's default scale. Each slide and sub-slide is shown in turn and measured: its height,
where its content ends, any element with a scroll bar, any widget shown as text instead of drawn, and any guard
check, solution or set-up cell on it. The tallest slide of each deck is printed at the end of the run
(browser_tests/conftest.py) and written to test-artifacts/slide_heights.txt; a screenshot of every slide goes to
test-artifacts/slides_NN_HH_V.png.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from browser_tests.conftest import ARTIFACTS, ROOT, SLIDE_HEIGHTS
from browser_tests.test_explorers_in_jupyterlab import RUN_TIMEOUT_S, STATE_JS, notebook_path, wait_for, wait_idle

WIDTH, HEIGHT = 1280, 720
ALL = " ".join(sorted(p.name[:2] for p in (ROOT / "slides").glob("[0-9][0-9]_*.ipynb")))
DECKS = os.environ.get("BROWSER_NOTEBOOKS", ALL).split()
NEVER_ON_A_SLIDE = ("# Checks for this section", "# Set-up. In the course's own environment", "# Solution")

SLIDES_JS = """() => [...document.querySelectorAll('.reveal .slides > section')].map(
    s => Math.max(1, [...s.children].filter(c => c.tagName === 'SECTION').length))"""

MEASURE_JS = """() => {
  const cur = [...document.querySelectorAll('.reveal .slides section.present')].pop();
  if (!cur) return null;
  const box = cur.getBoundingClientRect();
  let top = Infinity, bottom = -Infinity;
  const scrollers = [];
  for (const el of cur.querySelectorAll('*')) {
    if (el.closest('aside.notes')) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) { top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom); }
    const st = getComputedStyle(el);
    const y = /(auto|scroll)/.test(st.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const x = /(auto|scroll)/.test(st.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (x || y) scrollers.push((el.className || el.tagName).toString().slice(0, 60));
  }
  const shown = [...cur.querySelectorAll('.jp-Cell')].filter(c => c.getClientRects().length > 0);
  const text = shown.map(c => c.innerText).join('\\n');  // a hidden cell's innerText is its whole text
  const images = [...cur.querySelectorAll('img')];
  const md = shown.find(c => c.classList.contains('jp-MarkdownCell'));
  const code = shown.find(c => c.classList.contains('jp-CodeCell'));
  const editor = code && code.querySelector('.jp-InputArea-editor');
  const title = md ? md.innerText : (editor ? editor.innerText : cur.innerText);
  return {height: Math.max(box.height, bottom - Math.min(top, box.top)), top: Math.min(top, box.top), bottom,
          scrollers, text, title: (title.trim().split('\\n')[0] || '').slice(0, 70),
          widgets: cur.querySelectorAll('.jupyter-widgets.widget-container, .widget-slider, .widget-dropdown').length,
          loading: images.some(i => !i.complete)};
}"""


def widget_cells(deck: str) -> int:
    """How many of the deck's shown cells display a widget (an explorer) in the saved notebook."""
    nb = json.loads((ROOT / deck).read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] if c["metadata"].get("slideshow", {}).get("slide_type") != "skip"
               and any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.get("outputs", [])))


def run_and_save(page, lab, deck: str) -> None:
    """Open the deck in JupyterLab, run every cell (as the teacher does before presenting), save it."""
    page.goto(f"{lab['base']}/lab/tree/{deck}?token={lab['token']}&reset")
    wait_idle(page, 120, "the deck and an idle kernel")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }")
    state = wait_for(page, f"""() => {{ const s = ({STATE_JS})();
        return s && s.status === 'idle' && s.counts.every(c => c !== null) ? s : null; }}""",
                     RUN_TIMEOUT_S, "every cell of the deck to run")
    assert not state["errors"], f"{deck}: cells with errors or stderr: {state['errors']}"
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); return true; }")


@pytest.mark.parametrize("prefix", DECKS)
def test_every_slide_fits_1280x720_with_its_outputs_drawn(lab, browser, prefix):
    deck = notebook_path(prefix, "slides")
    labpage = browser.new_page(viewport={"width": 1400, "height": 1000})
    run_and_save(labpage, lab, deck)
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto(f"{lab['base']}/rise/{deck}?token={lab['token']}")
    page.wait_for_selector(".reveal .slides > section", timeout=120_000)
    expected_widgets = widget_cells(deck)
    deadline = time.monotonic() + 60
    while page.locator(".reveal .jupyter-widgets.widget-container").count() < expected_widgets:
        assert time.monotonic() < deadline, f"{deck}: the explorers were not drawn in RISE"
        time.sleep(0.5)
    stacks = page.evaluate(SLIDES_JS)
    measured, problems, drawn = [], [], 0
    for h, depth in enumerate(stacks):
        for v in range(depth):
            page.evaluate(f"() => {{ location.hash = '#/{h}/{v}'; }}")
            deadline = time.monotonic() + 10
            time.sleep(0.4)
            m = page.evaluate(MEASURE_JS)
            while (m is None or m["loading"]) and time.monotonic() < deadline:
                time.sleep(0.3)
                m = page.evaluate(MEASURE_JS)
            where = f"slide {h + 1}.{v + 1} ({m['title']!r})"
            measured.append((m["height"], where))
            page.screenshot(path=str(ARTIFACTS / f"slides_{prefix}_{h + 1:02d}_{v + 1}.png"))
            drawn += m["widgets"] > 0
            if m["height"] > HEIGHT or m["bottom"] > HEIGHT + 1 or m["top"] < -1:
                problems.append(f"{where}: {m['height']:.0f} px tall, from y={m['top']:.0f} to {m['bottom']:.0f}")
            if m["scrollers"]:
                problems.append(f"{where}: a scroll bar in {m['scrollers'][:3]}")
            if any(s in m["text"] for s in ("VBox(children", "HBox(children", "IntSlider(")):
                problems.append(f"{where}: a widget shows as text, not drawn")
            problems += [f"{where}: shows {s!r}" for s in NEVER_ON_A_SLIDE if s in m["text"]]
    tallest = max(measured)
    SLIDE_HEIGHTS[deck] = (tallest[0], tallest[1])
    assert len(measured) >= 8, f"{deck}: only {len(measured)} slides"
    assert drawn >= min(expected_widgets, 1), f"{deck}: no slide shows a drawn explorer"
    assert not problems, f"{deck} at {WIDTH}×{HEIGHT}:\n" + "\n".join(problems)
    page.close()
    labpage.close()
