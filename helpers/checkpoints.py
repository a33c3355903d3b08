"""Trained weights shared between notebooks: saved under data/weights/, loaded with weights_only=True."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from helpers.data import data_dir


def weights_path(name: str) -> Path:
    """Where the weights called `name` live: data_dir()/weights/<name>.pt."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"a weights name is a plain file stem like 'lenet_relu'; got {name!r}.")
    return data_dir() / "weights" / f"{name}.pt"


def save_weights(model: nn.Module, name: str) -> Path:
    """Save `model.state_dict()` (atomically) and return the path."""
    path = weights_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(model.state_dict(), tmp)
    tmp.replace(path)
    return path


def load_weights(model: nn.Module, name: str) -> bool:
    """Load saved weights into `model` if they exist (True), else leave it untouched (False)."""
    path = weights_path(name)
    if not path.is_file():
        return False
    state = torch.load(path, map_location="cpu", weights_only=True)
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(
            f"{path.name} does not fit this model (was the architecture changed?). Delete it to retrain. "
            f"{str(err).splitlines()[0]}"
        ) from err
    return True
