"""d2l's own helpers must work in a fresh kernel of this environment (matplotlib 3.7.2 vs IPython)."""

import nbformat
import pytest

from tools.kernels import execute_notebook

pytestmark = pytest.mark.kernel  # a Jupyter kernel in a subprocess: left out of mutation testing

CELLS = [
    "from d2l import torch as d2l\nx = d2l.arange(0, 3, 0.1)\nd2l.plot(x, [x * x, 2 * x], legend=['x^2', '2x'])",
    "print('second cell')",
    """import torch
from torch import nn
from helpers.data import load_mnist, TensorLoader
x, y = load_mnist(train=True, limit=2048)
xt, yt = load_mnist(train=False, limit=1024)
net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5),
                    nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(),
                    nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
d2l.train_ch6(net, TensorLoader(x, y, 256, shuffle=True), TensorLoader(xt, yt, 256), 2, 0.9, d2l.try_gpu())
""",
]


def test_d2l_plot_and_train_ch6_in_a_fresh_kernel(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    execute_notebook(nb, tmp_path, timeout=300)
    first, second, train = (c.outputs for c in nb.cells)

    def figures(outputs):
        return [o for o in outputs if {"image/png", "image/svg+xml"} & set(o.get("data", {}))]

    assert figures(first), f"d2l.plot drew no figure in its own cell: {[o.output_type for o in first]}"
    assert not figures(second), "a figure leaked into the next cell"
    assert not any(o.output_type == "error" or o.get("name") == "stderr" for o in first + second + train)
    text = "".join(o.get("text", "") for o in train)
    assert "test acc" in text and "examples/sec" in text, text[-500:]
    assert figures(train)
