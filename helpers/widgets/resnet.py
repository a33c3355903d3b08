"""Explorer for the ResNet lesson: how gradients reach the first layers of a deep CNN, with and without skips.

A view over the notebook's own `deep_cnn(blocks, skip)` and `grad_norms(net, x, y)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import validate as check
from helpers.widgets._base import Explorer


@dataclass(frozen=True)
class FlowState:
    """Gradient norm of every conv layer (input side first) of the plain and the residual net of one depth."""

    blocks: int
    plain: tuple[float, ...]
    residual: tuple[float, ...]

    @property
    def conv_layers(self) -> int:
        """Conv layers in each network."""
        return len(self.plain)

    @property
    def first_layer_ratio(self) -> float:
        """How many times more gradient the first conv layer gets with skips than without."""
        return self.residual[0] / max(self.plain[0], 1e-45)


class GradientFlowExplorer(Explorer[FlowState]):
    """Depth slider: per-layer gradient norms at initialisation, plain stack vs the same stack with skips."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, deep_cnn: Callable[[int, bool], nn.Module],
                 grad_norms: Callable[[nn.Module, torch.Tensor, torch.Tensor], list[float]],
                 max_blocks: int = 30) -> None:
        self.x = check.image_batch("x", x, channels=1).detach().float().cpu()
        self.y = check.labels_for("y", y, len(x)).detach().cpu()
        self.deep_cnn, self.grad_norms = check.function("deep_cnn", deep_cnn), check.function("grad_norms", grad_norms)
        depth = W.IntSlider(min(10, max_blocks), min=1, max=check.integer("max_blocks", max_blocks),
                            description="blocks", continuous_update=False)
        super().__init__({"blocks": depth}, title="Gradient norm per conv layer at initialisation")

    def norms(self, blocks: int, skip: bool) -> tuple[float, ...]:
        """grad_norms of deep_cnn(blocks, skip) on the batch; the global random state is left as it was."""
        with torch.random.fork_rng(devices=[]):  # the network's initialisation must not move the learner's RNG
            net = self.deep_cnn(blocks, skip)
        return tuple(float(v) for v in self.grad_norms(net, self.x, self.y))

    def compute(self, blocks: int) -> FlowState:
        """Gradient norms of every conv layer (stem first) for the plain and the residual net of `blocks` blocks."""
        blocks = check.integer("blocks", blocks)
        return FlowState(blocks, self.norms(blocks, skip=False), self.norms(blocks, skip=True))

    def describe(self, state: FlowState) -> str:
        return (f"{state.blocks} blocks, {state.conv_layers} conv layers: the first gets {state.first_layer_ratio:.1e}"
                f"× more gradient with skips")

    def draw(self, state: FlowState) -> Figure:
        fig, ax = plt.subplots(figsize=(7, 3.4))
        layers = range(1, state.conv_layers + 1)
        floor = 1e-30  # a gradient that underflowed to 0 is drawn at the bottom of the axis
        ax.semilogy(layers, [max(v, floor) for v in state.plain], "o-", ms=3, label="plain (no skips)")
        ax.semilogy(layers, [max(v, floor) for v in state.residual], "s-", ms=3, label="residual (with skips)")
        ax.set_xlabel("conv layer (1 = next to the input)")
        ax.set_ylabel("‖∂loss/∂W‖")
        ax.set_title(f"{state.blocks} blocks = {state.conv_layers} conv layers: first layer gets "
                     f"{state.first_layer_ratio:.1e}× more gradient with skips", fontsize=10)
        ax.grid(alpha=0.3, which="major")
        ax.legend(loc="lower right")
        fig.tight_layout()
        return fig
