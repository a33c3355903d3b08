"""Explorer for notebook 06: what the widths of an Inception block cost, with and without 1x1 reductions."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.widgets._base import Explorer

BRANCHES = ("1x1", "3x3", "5x5", "pool")  # each branch is named after its widest conv


def _positive(name: str, v: Any) -> int:
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
        raise ValueError(f"{name} must be a positive integer; got {v!r}.")
    return int(v)


def _pair(name: str, v: Any, what: str) -> tuple[int, int]:
    if not isinstance(v, (tuple, list)) or len(v) != 2:
        raise ValueError(f"{name} must be a pair (1x1 reduce width, {what} width) of positive integers; got {v!r}.")
    return _positive(f"{name}[0]", v[0]), _positive(f"{name}[1]", v[1])


def conv_cost(c_in: int, c_out: int, k: int, size: int) -> tuple[int, int]:
    """(parameters, FLOPs) of a k x k conv with bias and 'same' padding on a size x size map (2 FLOPs per MAC)."""
    return c_out * (c_in * k * k + 1), 2 * c_out * c_in * k * k * size * size


def inception_cost(
    in_channels: int, size: int, c1: int, c2: tuple[int, int], c3: tuple[int, int], c4: int, reduce: bool = True
) -> dict[str, Any]:
    """Per-branch and total parameters and conv FLOPs of a GoogLeNet Inception block on a size x size input.

    Without `reduce`, the 3x3 and 5x5 convs read the input directly (no 1x1 in front); the output is the same.
    """
    c_in, n = _positive("in_channels", in_channels), _positive("size", size)
    c1, c4 = _positive("c1", c1), _positive("c4", c4)
    (r2, o2), (r3, o3) = _pair("c2", c2, "3x3"), _pair("c3", c3, "5x5")
    if reduce:
        convs = {"1x1": [(c_in, c1, 1)], "3x3": [(c_in, r2, 1), (r2, o2, 3)], "5x5": [(c_in, r3, 1), (r3, o3, 5)],
                 "pool": [(c_in, c4, 1)]}
    else:
        convs = {"1x1": [(c_in, c1, 1)], "3x3": [(c_in, o2, 3)], "5x5": [(c_in, o3, 5)], "pool": [(c_in, c4, 1)]}
    params, flops = {}, {}
    for branch, layers in convs.items():
        costs = [conv_cost(a, b, k, n) for a, b, k in layers]
        params[branch], flops[branch] = sum(p for p, _ in costs), sum(f for _, f in costs)
    return {"out_channels": c1 + o2 + o3 + c4, "params": params, "flops": flops,
            "total_params": sum(params.values()), "total_flops": sum(flops.values())}


class InceptionCostExplorer(Explorer):
    """Sliders for the input and the branch widths; bars for parameters and FLOPs with and without reductions."""

    def __init__(self, in_channels: int = 192, size: int = 28, c1: int = 64, c2: tuple[int, int] = (96, 128),
                 c3: tuple[int, int] = (16, 32), c4: int = 32) -> None:
        def slider(name: str, value: int, hi: int) -> W.IntSlider:
            return W.IntSlider(value, min=1, max=hi, description=name, continuous_update=False,
                               layout=W.Layout(width="300px"))

        controls = {
            "in_channels": slider("in channels", in_channels, 512), "size": slider("H = W", size, 64),
            "c1": slider("1x1", c1, 256), "r2": slider("3x3 reduce", c2[0], 256), "o2": slider("3x3", c2[1], 384),
            "r3": slider("5x5 reduce", c3[0], 128), "o3": slider("5x5", c3[1], 256), "c4": slider("pool proj", c4, 256),
        }
        super().__init__(controls, title="Inception block: widths → channels, parameters, FLOPs")

    def compute(self, in_channels: int, size: int, c1: int, r2: int, o2: int, r3: int, o3: int,
                c4: int) -> dict[str, Any]:
        """Costs with and without 1x1 reductions, and how many times cheaper the reductions make the block."""
        args = (in_channels, size, c1, (r2, o2), (r3, o3), c4)
        with_r, without = inception_cost(*args, reduce=True), inception_cost(*args, reduce=False)
        return {"out_channels": with_r["out_channels"], "with": with_r, "without": without,
                "param_saving": without["total_params"] / with_r["total_params"],
                "flop_saving": without["total_flops"] / with_r["total_flops"]}

    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        x = np.arange(len(BRANCHES))
        for ax, key, unit, scale, suffix in ((axes[0], "params", "parameters (thousands)", 1e3, "k"),
                                             (axes[1], "flops", "FLOPs (millions)", 1e6, "M")):
            for dx, (label, which) in ((-0.2, ("without 1x1 reductions", "without")),
                                       (0.2, ("with 1x1 reductions", "with"))):
                values = [state[which][key][b] / scale for b in BRANCHES]
                ax.bar(x + dx, values, width=0.4, label=label, color="tab:red" if which == "without" else "tab:blue")
            total_w, total_wo = state["with"][f"total_{key}"] / scale, state["without"][f"total_{key}"] / scale
            ax.set_title(f"{unit.split(' ')[0]}: {total_wo:,.0f}{suffix} → {total_w:,.0f}{suffix}", fontsize=10)
            ax.set_xticks(x, [f"{b} branch" for b in BRANCHES], fontsize=8)
            ax.set_ylabel(unit)
            ax.grid(alpha=0.3, axis="y")
        axes[0].legend(fontsize=8)
        fig.suptitle(f"output channels {state['out_channels']}; reductions save {state['param_saving']:.1f}× "
                     f"parameters and {state['flop_saving']:.1f}× FLOPs", fontsize=10)
        fig.tight_layout()
        return fig
