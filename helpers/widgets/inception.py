"""Explorer for the Inception lesson: what the widths of an Inception block cost, with and without 1x1 reductions.

A view over the notebook's own `inception_cost(in_channels, size, c1, c2, c3, c4, reduce)`, which returns
{branch: (parameters, FLOPs)} for the branches "1x1", "3x3", "5x5" and "pool"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers import validate as check
from helpers.widgets._base import Explorer

BRANCHES = ("1x1", "3x3", "5x5", "pool")  # each branch is named after its widest conv
Costs = dict[str, tuple[int, int]]  # branch -> (parameters, FLOPs)


@dataclass(frozen=True)
class CostState:
    """Per-branch (parameters, FLOPs) of one block with and without the 1x1 reductions."""

    out_channels: int
    with_reduction: Costs
    without_reduction: Costs

    def total(self, reduce: bool, what: str) -> int:
        """Total parameters (what="params") or FLOPs (what="flops") of the block."""
        costs = self.with_reduction if reduce else self.without_reduction
        index = check.choice("what", what, ("params", "flops")) == "flops"  # 0: parameters, 1: FLOPs
        return sum(costs[b][index] for b in BRANCHES)

    @property
    def param_saving(self) -> float:
        """How many times fewer parameters the reductions leave."""
        return self.total(False, "params") / self.total(True, "params")

    @property
    def flop_saving(self) -> float:
        """How many times fewer FLOPs the reductions leave."""
        return self.total(False, "flops") / self.total(True, "flops")


class InceptionCostExplorer(Explorer[CostState]):
    """Sliders for the input and the branch widths; bars for parameters and FLOPs with and without reductions."""

    def __init__(self, inception_cost: Callable[..., Costs], in_channels: int = 192, size: int = 28, c1: int = 64,
                 c2: tuple[int, int] = (96, 128), c3: tuple[int, int] = (16, 32), c4: int = 32) -> None:
        self.inception_cost = check.function("inception_cost", inception_cost)

        def slider(name: str, label: str, value: int, hi: int) -> W.IntSlider:
            return W.IntSlider(check.integer(name, value, 1, hi), min=1, max=hi, description=label,
                               continuous_update=False, layout=W.Layout(width="300px"))

        (r2, o2), (r3, o3) = check.pair("c2", c2), check.pair("c3", c3)
        controls = {
            "in_channels": slider("in_channels", "in channels", in_channels, 512),
            "size": slider("size", "H = W", size, 64), "c1": slider("c1", "1x1", c1, 256),
            "r2": slider("c2[0]", "3x3 reduce", r2, 256), "o2": slider("c2[1]", "3x3", o2, 384),
            "r3": slider("c3[0]", "5x5 reduce", r3, 128), "o3": slider("c3[1]", "5x5", o3, 256),
            "c4": slider("c4", "pool proj", c4, 256),
        }
        super().__init__(controls, title="Inception block: widths → channels, parameters, FLOPs")

    def costs(self, reduce: bool, **widths: int) -> Costs:
        """inception_cost for these widths, checked to give (parameters, FLOPs) for each of the four branches."""
        w = widths
        got = self.inception_cost(w["in_channels"], w["size"], w["c1"], (w["r2"], w["o2"]), (w["r3"], w["o3"]),
                                  w["c4"], reduce=reduce)
        if not isinstance(got, dict) or set(got) != set(BRANCHES) or any(len(v) != 2 for v in got.values()):
            raise ValueError(f"inception_cost should return {{branch: (parameters, FLOPs)}} for the branches "
                             f"{list(BRANCHES)}; got {check.describe(got)}.")
        return {b: (int(got[b][0]), int(got[b][1])) for b in BRANCHES}

    def compute(self, in_channels: int, size: int, c1: int, r2: int, o2: int, r3: int, o3: int, c4: int
                ) -> CostState:
        """Costs with and without 1x1 reductions, and the block's output channels."""
        widths = {name: check.integer(name, v) for name, v in
                  dict(in_channels=in_channels, size=size, c1=c1, r2=r2, o2=o2, r3=r3, o3=o3, c4=c4).items()}
        return CostState(c1 + o2 + o3 + c4, self.costs(True, **widths), self.costs(False, **widths))

    def describe(self, state: CostState) -> str:
        return (f"{state.out_channels} output channels; the 1x1 reductions save {state.param_saving:.1f}× parameters "
                f"and {state.flop_saving:.1f}× FLOPs")

    def draw(self, state: CostState) -> Figure:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        x = np.arange(len(BRANCHES))
        for ax, index, what, unit, scale, suffix in ((axes[0], 0, "params", "parameters (thousands)", 1e3, "k"),
                                                     (axes[1], 1, "flops", "FLOPs (millions)", 1e6, "M")):
            for dx, label, costs, colour in ((-0.2, "without 1x1 reductions", state.without_reduction, "tab:red"),
                                             (0.2, "with 1x1 reductions", state.with_reduction, "tab:blue")):
                ax.bar(x + dx, [costs[b][index] / scale for b in BRANCHES], width=0.4, label=label, color=colour)
            before, after = state.total(False, what) / scale, state.total(True, what) / scale
            ax.set_title(f"{unit.split(' ')[0]}: {before:,.0f}{suffix} → {after:,.0f}{suffix}", fontsize=10)
            ax.set_xticks(x, [f"{b} branch" for b in BRANCHES], fontsize=8)
            ax.set_ylabel(unit)
            ax.grid(alpha=0.3, axis="y")
        axes[0].legend(fontsize=8)
        fig.suptitle(f"output channels {state.out_channels}; reductions save {state.param_saving:.1f}× "
                     f"parameters and {state.flop_saving:.1f}× FLOPs", fontsize=10)
        fig.tight_layout()
        return fig
