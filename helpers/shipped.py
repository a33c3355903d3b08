"""Results a chapter trained, shipped with the course so that its slide deck need not train for a minute in class.

A chapter calls `ship(name, metrics, tolerance, **payload)` after a long run. While the course is built
(`make notebooks`, which sets CONVNETS_SHIP=write) that writes helpers/trained/NAME.pt; under the tests (conftest.py
sets CONVNETS_SHIP=check) it checks instead that the shipped file still matches what the chapter just trained: the
same payload structure (keys, tensor shapes) and each metric within `tolerance`, so a stale file fails the chapter's
test. In a learner's own kernel it does nothing (their experiments are theirs). A deck calls `fast_path(name, ...)`,
which loads the file and prints where it came from.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import torch

from helpers import validate
from helpers.training import History

TRAINED = Path(__file__).resolve().parent / "trained"
WRITE, CHECK = "write", "check"  # the values of CONVNETS_SHIP under which ship() saves, or checks


class ShippedError(RuntimeError):
    """A shipped file is missing or no longer matches the chapter that made it; the message says what to rebuild."""


def _folder() -> Path:
    return Path(os.environ.get("CONVNETS_TRAINED", TRAINED))


def _plain(value: Any, where: str) -> Any:
    """`value` as tensors, numbers, strings, lists and dicts only (what torch.load(weights_only=True) accepts)."""
    if isinstance(value, History):
        return {"__history__": _plain(dataclasses.asdict(value), where)}
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"{where} must be made of tensors, numbers, strings, lists, dicts and training histories; got "
                     f"{validate.describe(value)}.")


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__history__"}:
            return History(**value["__history__"])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _shape(value: Any) -> Any:
    """The structure of a payload without its values: keys, lengths, tensor shapes."""
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape))
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def path(name: str) -> Path:
    """Where the results called `name` are shipped."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"name must be a plain file name like '06_lenet'; got {name!r}.")
    return _folder() / f"{name}.pt"


def ship(name: str, metrics: dict[str, float], tolerance: float, **payload: Any) -> None:
    """Save the results (CONVNETS_SHIP=write), check the shipped file against them (=check), or do nothing."""
    validate.fraction("tolerance", tolerance, low=0.0, high=1e9, open_low=False)
    if not metrics:
        raise ValueError("metrics must name at least one number to check the shipped file by; got none.")
    numbers = {k: validate.number(f"metrics[{k!r}]", v) for k, v in metrics.items()}
    record = {"metrics": numbers, "tolerance": float(tolerance), "payload": _plain(payload, "payload")}
    target = path(name)
    mode = os.environ.get("CONVNETS_SHIP")
    if mode == WRITE:
        target.parent.mkdir(parents=True, exist_ok=True)
        torch.save(record, target)
    if mode != CHECK:
        return
    shipped = _read(name)
    rebuild = f"rebuild it with `make notebooks NB={name[:2]}`"
    if _shape(shipped["payload"]) != _shape(record["payload"]):
        raise ShippedError(f"{target.name} no longer has the structure of what this run trained (keys or tensor "
                           f"shapes changed): {rebuild}.")
    if set(shipped["metrics"]) != set(numbers):
        raise ShippedError(f"{target.name} holds the metrics {sorted(shipped['metrics'])}, this run measured "
                           f"{sorted(numbers)}: {rebuild}.")
    for key, value in numbers.items():
        if abs(value - shipped["metrics"][key]) > tolerance:
            raise ShippedError(f"{target.name} is stale: {key} is {value:.4g} in this run and "
                               f"{shipped['metrics'][key]:.4g} in the shipped file (tolerance {tolerance:g}): "
                               f"{rebuild}.")


def _read(name: str) -> dict:
    target = path(name)
    if not target.is_file():
        raise ShippedError(f"{target} is missing: it is written when the course is built (`make notebooks "
                           f"NB={name[:2]}`), or comes with the course (helpers/trained/).")
    return torch.load(target, weights_only=True)


def load(name: str) -> dict[str, Any]:
    """The shipped payload (its metrics under 'metrics'), histories restored."""
    record = _read(name)
    return {**_restore(record["payload"]), "metrics": dict(record["metrics"])}


def fast_path(name: str, made_by: str, full_run: str) -> dict[str, Any]:
    """Load the shipped results and print which path this cell took and where the full run is."""
    results = load(name)
    print(f"fast path: loaded what {made_by} trained (shipped in helpers/trained/{name}.pt); "
          f"the full run: {full_run}")
    return results
