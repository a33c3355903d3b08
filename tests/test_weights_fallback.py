"""Notebook 07 reuses notebook 05's trained LeNet; with no saved weights it must train them itself and save them.

nbval runs 05 before 07, so the notebooks' own run always finds the weights. This test runs notebook 07 alone
against a data folder that has MNIST but no `weights/`, as a learner who opens 07 first would.
"""

from pathlib import Path

import nbformat
import torch

from helpers import checkpoints, data
from tools.kernels import execute_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_notebook_07_trains_and_saves_the_lenet_it_cannot_find(tmp_path, monkeypatch):
    (tmp_path / "MNIST").symlink_to(data.data_dir() / "MNIST", target_is_directory=True)
    monkeypatch.setenv("CONVNETS_DATA", str(tmp_path))  # read by the kernel, started after this
    assert not checkpoints.weights_path("lenet_relu").exists()
    nb = nbformat.read(ROOT / "notebooks" / "07_batch_norm.ipynb", as_version=4)
    execute_notebook(nb, ROOT / "notebooks", timeout=600)  # raises if any cell (or assert) fails

    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "notebook 05's weights are missing; saved the plain run (the same recipe) in their place" in printed
    state = torch.load(checkpoints.weights_path("lenet_relu"), weights_only=True)
    assert state["0.weight"].shape == (6, 1, 5, 5) and state["11.weight"].shape == (10, 84)
