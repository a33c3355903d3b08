"""nbval must not lose the end of a chatty cell.

nbval waits for a cell's reply on the shell channel before it reads any iopub message. A training cell sends
progress-bar and live-figure updates the whole time; past ZMQ's high-water mark (1,000 messages per socket)
the rest are dropped, the cell's final `idle` among them, and nbval fails with "Timeout ... waiting for
output". The root conftest keeps reading iopub while a cell runs; this test floods iopub with widget updates
(as tqdm does) and checks that the notebook still passes, and that the next cell's output still compares.
"""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

FLOOD = """import ipywidgets as widgets
bar = widgets.IntProgress(max=10_000)
for i in range(10_000):
    bar.value = i + 1"""


def test_a_cell_with_10000_widget_updates_passes_nbval():
    work = ROOT / "build" / "nbval-long-cells"  # inside the repository, so the root conftest applies
    work.mkdir(parents=True, exist_ok=True)
    after = nbformat.v4.new_code_cell('print("after:", bar.value)', execution_count=2)
    after.outputs = [nbformat.v4.new_output("stream", name="stdout", text="after: 10000\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOD, execution_count=1), after])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = work / "flood.ipynb"
    nbformat.write(nb, path)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", str(path.relative_to(ROOT))],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout, run.stdout[-3000:]
