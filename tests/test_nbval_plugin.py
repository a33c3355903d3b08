"""Every change tools/nbval_plugin.py makes to nbval is needed: a small notebook for each passes strict nbval with
the plugin, and fails when only that change is turned off (NBVAL_PLUGIN_DISABLE)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import nbval_plugin

pytestmark = pytest.mark.kernel  # a Jupyter kernel in a subprocess: left out of mutation testing

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "nbval-plugin"  # inside the repository, so the root conftest (and its plugin) applies


def _cell(source: str, outputs: list | None = None, count: int = 1):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = outputs or []
    return cell


def _stdout(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


# One notebook per change: it passes only with that change.
NOTEBOOKS = {
    "history": [_cell("x = 1 + 1\nx;"),  # Jupyter hides a value whose line ends with ';'
                _cell("print(x)", [_stdout("2\n")], 2)],
    # 30,000 widget updates, as a long training cell's progress bar and live figure send
    "unbounded-iopub": [_cell("import ipywidgets as widgets\nbar = widgets.IntProgress(max=30_000)\n"
                              "for i in range(30_000):\n    bar.value = i + 1"),
                        _cell('print("after:", bar.value)', [_stdout("after: 30000\n")], 2)],
    # the kernel sends this cell's closing 'idle' 8 s after its reply, as a busy 2-core machine delays a training
    # cell's last progress-bar and figure messages
    "output-timeout": [_cell("import time\n\nkernel = get_ipython().kernel\npublish = kernel._publish_status\n\n\n"
                             "def late_idle(status, *args, **kwargs):\n    if status == 'idle':\n"
                             "        kernel._publish_status = publish  # only this cell's\n        time.sleep(8)\n"
                             "    return publish(status, *args, **kwargs)\n\n\n"
                             "kernel._publish_status = late_idle\nprint('started')", [_stdout("started\n")]),
                       _cell('print("next")', [_stdout("next\n")], 2)],
    "skip-svg": [_cell("import uuid\nfrom IPython.display import SVG\n"
                       "SVG(f'<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{uuid.uuid4()}\"/>')",
                       [nbformat.v4.new_output("execute_result", execution_count=1, data={
                           "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" id="saved"/>',
                           "text/plain": "<IPython.core.display.SVG object>"})])],
    "ipc": [_cell("import json\nfrom ipykernel.connect import get_connection_info\n"
                  'print(json.loads(get_connection_info())["transport"])', [_stdout("ipc\n")])],
}


def _write(name: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _pytest(paths: list[Path], disable: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "NBVAL_PLUGIN_DISABLE": disable}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *(str(p.relative_to(ROOT)) for p in paths)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_every_change_has_a_notebook():
    assert set(NOTEBOOKS) == set(nbval_plugin.CHANGES)


def test_with_the_plugin_every_notebook_passes():
    run = _pytest([_write(name) for name in NOTEBOOKS])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{sum(len(c) for c in NOTEBOOKS.values())} passed" in run.stdout, run.stdout[-3000:]


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_without_the_change_its_notebook_fails(name):
    # unbounded-iopub: with nbval's own 5 s wait the lost 'idle' fails the cell in 5 s rather than 60
    run = _pytest([_write(name)], disable=name + (",output-timeout" if name == "unbounded-iopub" else ""))
    # ipc with the network cut (`unshare -n`): a TCP kernel cannot even start, so the run ends in an error
    assert run.returncode != 0 and re.search(r"\d+ (failed|error)", run.stdout), (
        f"passed without '{name}':\n{run.stdout[-3000:]}")


def test_an_unknown_change_name_is_refused():
    run = _pytest([_write("ipc")], disable="histroy")
    assert run.returncode != 0 and "NBVAL_PLUGIN_DISABLE names no change ['histroy']" in run.stdout + run.stderr


def test_a_different_nbval_is_refused(monkeypatch):
    monkeypatch.setattr(nbval_plugin.nbval, "__version__", "0.12.0")
    with pytest.raises(pytest.UsageError, match="written for nbval 0.11.0, and this is nbval 0.12.0"):
        nbval_plugin._check_nbval()
