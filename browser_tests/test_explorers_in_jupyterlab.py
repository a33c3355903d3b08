"""Open notebooks in a real JupyterLab, run every cell, and use every explorer as a learner would.

Checks: no cell ends in an error, every explorer renders as a live widget (not its text fallback), moving each
control of each explorer once (slider, drop-down, toggle buttons, text box) changes its value and the explorer's
caption or picture, and the browser console shows no errors. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from browser_tests.conftest import ARTIFACTS, ROOT

ALL = " ".join(sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
NOTEBOOKS = os.environ.get("BROWSER_NOTEBOOKS", ALL).split()
RUN_TIMEOUT_S = 600  # 07 runs its cells in about 330 s on a 2-core CPU
# What the first explorer's caption must say after its first control is moved (two ArrowRight presses on a slider,
# the next option of a drop-down).
EXPECTED_CAPTION = {
    "01": r"Y\[1,0\] = 3×0 \+ 4×1 \+ 6×2 \+ 7×3 = 37",  # output cell 2 of corr2d(arange(9).reshape(3, 3), K)
    "02": r"\(7 \+ 2·1 − 1·2 − 1\)/2⌋ \+ 1 = .* = 4 · PyTorch's F.conv2d: 4×4 +✓ same",  # input n: 5 -> 7
    # R: identity -> the next preset
    "03": r"^R ⋆ negative identity, G ⋆ negative identity, B ⋆ zero · corr2d_multi_in vs F.conv2d\(photo, weight "
          r"\(1, 3, 3, 3\)\): largest difference (0\.0e\+00|\d\.\de-(0[6-9]|[1-9]\d))$",
    "06": r"validation image 2: label 6, predicted 6 with probability",  # the third validation digit is a 6
}

STATE_JS = """() => {
  if (!window.jupyterapp || !window.jupyterapp.shell) return null;
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext.session) return null;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const c of cells) {
    for (let i = 0; i < c.model.outputs.length; i++) {
      const o = c.model.outputs.get(i).toJSON();
      if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
        errors.push((o.ename || 'stderr') + ': ' + (o.evalue || o.text || '').toString().slice(0, 300));
    }
  }
  return {status: panel.sessionContext.session.kernel ? panel.sessionContext.session.kernel.status : 'none',
          counts: cells.map(c => c.model.executionCount), errors: errors};
}"""


CONTROLS = ":is(.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-text)"


def read_control(control) -> str:
    """The value a learner sees on a slider, drop-down, toggle-button row or text box."""
    kind = control.get_attribute("class") or ""
    if "widget-slider" in kind:
        return control.locator(".widget-readout").inner_text()
    if "widget-dropdown" in kind:
        return control.locator("select").evaluate("s => s.options[s.selectedIndex].text")
    if "widget-toggle-buttons" in kind:
        return control.locator("button.mod-active").inner_text()
    return control.locator("input").input_value()


def move_control(page, control) -> None:
    """Move a control as a learner would: two key presses on a slider, the next option, another button or text."""
    kind = control.get_attribute("class") or ""
    if "widget-slider" in kind:
        before = read_control(control)
        control.locator(".noUi-handle").first.focus()
        for key in ("ArrowRight", "ArrowRight"):
            page.keyboard.press(key)
        if read_control(control) == before:  # already at the top: go down instead
            for key in ("ArrowLeft", "ArrowLeft"):
                page.keyboard.press(key)
    elif "widget-dropdown" in kind:
        select = control.locator("select")
        options, current = select.locator("option").all_inner_texts(), read_control(control)
        select.select_option(label=options[(options.index(current) + 1) % len(options)])
    elif "widget-toggle-buttons" in kind:
        control.locator("button:not(.mod-active)").first.click()
    else:
        box = control.locator("input")
        box.fill("1 -1" if box.input_value() != "1 -1" else "1; -1")
        box.press("Enter")


def restore_control(page, control, value: str) -> None:
    """Put a control back to the value it had, so that every control is tried from the explorer's first state."""
    kind = control.get_attribute("class") or ""
    if "widget-slider" in kind:
        control.locator(".noUi-handle").first.focus()
        for _ in range(8):
            if read_control(control) == value:
                return
            page.keyboard.press("ArrowLeft")
        for _ in range(16):
            if read_control(control) == value:
                return
            page.keyboard.press("ArrowRight")
    elif "widget-dropdown" in kind:
        control.locator("select").select_option(label=value)
    elif "widget-toggle-buttons" in kind:
        control.locator("button", has_text=value).first.click()
    else:
        box = control.locator("input")
        box.fill(value)
        box.press("Enter")


def explorer_look(explorer) -> tuple[str, str]:
    """What the explorer shows: its caption and its picture (the PNG's data URL)."""
    return (explorer.locator(".explorer-caption").inner_text(),
            explorer.locator(".widget-output img").first.get_attribute("src") or "")


def notebook_path(prefix: str, folder: str = "notebooks") -> str:
    """The served path of notebook `prefix` (e.g. '01') in `folder` (notebooks or slides)."""
    matches = sorted(p.name for p in (ROOT / folder).glob(f"{prefix}_*.ipynb"))
    if not matches:
        pytest.fail(f"no notebook {folder}/{prefix}_*.ipynb")
    return f"{folder}/{matches[0]}"


def wait_for(page, predicate_js: str, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(predicate_js)
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def wait_idle(page, timeout_s: float, what: str) -> None:
    """Wait until the notebook is open and its kernel idle."""
    wait_for(page, f"() => {{ const s = ({STATE_JS})(); return s && s.status === 'idle'; }}", timeout_s, what)


@pytest.mark.parametrize("prefix", NOTEBOOKS)
def test_notebook_runs_and_every_explorer_control_responds(lab, browser, prefix):
    name = notebook_path(prefix)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
    page.goto(f"{lab['base']}/lab/tree/{name}?token={lab['token']}&reset")
    wait_idle(page, 120, "the notebook and an idle kernel")

    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return true; }")
    state = wait_for(page, f"""() => {{ const s = ({STATE_JS})();
        return s && s.status === 'idle' && s.counts.every(c => c !== null) ? s : null; }}""",
                     RUN_TIMEOUT_S, "every cell to run")
    assert state["counts"] == list(range(1, len(state["counts"]) + 1)), state["counts"]
    assert not state["errors"], f"{name}: cells with errors or stderr: {state['errors']}"

    # Every widget output is live: rendered controls, never the text fallback.
    text = page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    assert not re.search(r"\b(VBox|HBox|IntSlider)\(", text), f"{name}: a widget shows as text"
    assert "Error displaying widget" not in text and "Loading widget" not in text
    explorers = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-vbox:has(> .explorer-caption)")
    assert explorers.count() > 0, f"{name}: no live explorer"

    # Every explorer: move each of its controls once, as a learner would; its value, and the explorer's caption or
    # picture, must change; then put it back, so that one move cannot leave the next control nothing to do (in 02,
    # n, k, p, s and d all moved up leave a 1×1 output, whose "output cell" slider has nowhere to go).
    # The first move of the first explorer must give the exact expected caption.
    moved = 0
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        controls = explorer.locator(CONTROLS)
        assert controls.count() > 0, f"{name}: explorer {e} has no controls"
        for c in range(controls.count()):
            control = controls.nth(c)
            control.scroll_into_view_if_needed()  # before reading it: a slider's readout is empty until drawn
            deadline = time.monotonic() + 30
            while not read_control(control) and time.monotonic() < deadline:  # drawn lazily, later on a busy machine
                time.sleep(0.5)
            before = (read_control(control), explorer_look(explorer))
            assert before[0], f"{name}: explorer {e}, control {c}: shows no value after 30 s"
            page.screenshot(path=str(ARTIFACTS / f"{prefix}_explorer{e}_control{c}_before.png"))
            move_control(page, control)
            time.sleep(1)
            wait_idle(page, 60, "the kernel to redraw the explorer")
            time.sleep(1)
            after = (read_control(control), explorer_look(explorer))
            page.screenshot(path=str(ARTIFACTS / f"{prefix}_explorer{e}_control{c}_after.png"))
            assert after[0] != before[0], f"{name}: explorer {e}, control {c}: its value did not change ({before[0]})"
            assert after[1] != before[1], f"{name}: explorer {e}, control {c}: neither caption nor picture changed"
            if e == 0 and c == 0 and prefix in EXPECTED_CAPTION:
                assert re.search(EXPECTED_CAPTION[prefix], after[1][0]), after[1][0]
            restore_control(page, control, before[0])
            wait_idle(page, 60, "the kernel to redraw the explorer")
            assert read_control(control) == before[0], f"{name}: explorer {e}, control {c}: could not put it back"
            moved += 1
    assert moved >= explorers.count()

    ignored = re.compile(r"favicon|Failed to load resource: the server responded with a status of 404")
    real = [e for e in console_errors if not ignored.search(e)]
    assert not real, f"{name}: browser console errors: {real[:5]}"
    page.close()
