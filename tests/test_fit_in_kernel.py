"""`fit` in a real kernel: a progress-bar widget and one figure redrawn in place (not a pile of frames)."""

import nbformat
import pytest

from tools.kernels import execute_notebook

pytestmark = pytest.mark.kernel  # a Jupyter kernel in a subprocess: left out of mutation testing

CODE = """from torch import nn
from helpers.data import load_mnist, TensorLoader
from helpers.training import fit, seed_everything
seed_everything(0)
x, y = load_mnist(limit=2048)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
hist = fit(model, TensorLoader(x, y, 64, shuffle=True), TensorLoader(x, y, 512), epochs=2, lr=0.1, log_every=4)
assert hist.val_acc[-1] > 0.8, hist.val_acc
"""


def test_fit_shows_a_progress_bar_and_one_live_figure(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    execute_notebook(nb, tmp_path, timeout=300, store_widget_state=True)
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    bars = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(figures) == 1, [o.output_type for o in outputs]
    assert len(bars) == 2  # one tqdm bar per epoch
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    done = [m["state"] for m in state.values() if m["model_name"] == "FloatProgressModel"]
    assert [(d["value"], d["max"], d["bar_style"]) for d in done] == [(32, 32, "success")] * 2
    labels = [m["state"]["value"].replace("\u2007", " ") for m in state.values() if m["model_name"] == "HTMLModel"]
    assert "epoch 2/2: 100%" in labels
