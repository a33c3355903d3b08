"""Argument checks shared by `helpers`: each returns the cleaned value or raises a ValueError that names what was
expected and what came in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch


def describe(value: Any) -> str:
    """A short description of what came in: a tensor's shape and dtype, else its repr."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} ({str(value.dtype).removeprefix('torch.')})"
    return repr(value) if isinstance(value, (int, float, str, tuple, list)) else type(value).__name__


def integer(name: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """An int (numpy ints too, never bool) in low..high."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {low}; got {describe(value)}.")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f"in {low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bounds}; got {value}.")
    return value


def number(name: str, value: Any) -> float:
    """A real number (numpy numbers too, never bool), as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number; got {describe(value)}.")
    return float(value)


def pair(name: str, value: Any, low: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (h, w), each >= low, as (h, w)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w) of ints; got {describe(value)}.")
        return integer(f"{name}[0]", value[0], low), integer(f"{name}[1]", value[1], low)
    h = integer(name, value, low)
    return h, h


def fraction(name: str, value: Any, low: float = 0.0, high: float = 1.0, open_low: bool = True) -> float:
    """A float in (low, high] (or [low, high] with open_low=False)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number in {'(' if open_low else '['}{low}, {high}]; got "
                         f"{describe(value)}.")
    value = float(value)
    if not (low < value <= high if open_low else low <= value <= high):
        raise ValueError(f"{name} must be in {'(' if open_low else '['}{low}, {high}]; got {value}.")
    return value


def choice(name: str, value: Any, options: tuple | list) -> Any:
    """One of `options`."""
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}; got {describe(value)}.")
    return value


def matrix(name: str, value: Any) -> torch.Tensor:
    """A 2-D tensor (H, W), as a detached float32 CPU copy."""
    if not isinstance(value, torch.Tensor) or value.ndim != 2:
        raise ValueError(f"{name} must be a 2-D tensor (H, W); got {describe(value)}.")
    return value.detach().float().cpu()


def grey_image(name: str, value: Any) -> torch.Tensor:
    """A grey image (H, W), also accepted as (1, H, W) or (1, 1, H, W), as a detached float32 CPU (H, W)."""
    if isinstance(value, torch.Tensor) and value.ndim == 4 and value.shape[:2] == (1, 1):
        value = value[0, 0]
    elif isinstance(value, torch.Tensor) and value.ndim == 3 and value.shape[0] == 1:
        value = value[0]
    if not isinstance(value, torch.Tensor) or value.ndim != 2:
        raise ValueError(f"{name} must be a grey image of shape (H, W) (or (1, H, W), (1, 1, H, W)); got "
                         f"{describe(value)}.")
    return value.detach().float().cpu()


def image_batch(name: str, value: Any, channels: int | None = None) -> torch.Tensor:
    """A batch of images (N, C, H, W), with C = `channels` if given."""
    ok = isinstance(value, torch.Tensor) and value.ndim == 4 and (channels is None or value.shape[1] == channels)
    if not ok:
        want = f"(N, {channels}, H, W)" if channels is not None else "(N, C, H, W)"
        raise ValueError(f"{name} must be a batch of images of shape {want}; got {describe(value)}.")
    return value


def labels_for(name: str, value: Any, n: int) -> torch.Tensor:
    """Integer class labels of shape (n,)."""
    if not isinstance(value, torch.Tensor) or value.shape != (n,) or value.is_floating_point():
        raise ValueError(f"{name} must be integer labels of shape ({n},), one per image; got {describe(value)}.")
    return value


def function(name: str, value: Any) -> Callable:
    """Something callable (the lesson's function or module that an explorer shows)."""
    if not callable(value):
        raise ValueError(f"{name} must be a function (the one the notebook defines); got {describe(value)}.")
    return value
