"""Explorer for notebook 08: how gradients reach the first layers of a deep CNN, with and without skips."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import nn

from helpers.widgets._base import Explorer


class TwoConvBlock(nn.Module):
    """conv-ReLU-conv, then ReLU of the sum with the input (`skip`) or of the conv output alone."""

    def __init__(self, channels: int, skip: bool) -> None:
        super().__init__()
        self.skip = skip
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x + y) if self.skip else F.relu(y)


def deep_cnn(blocks: int, skip: bool, width: int = 8, seed: int = 0) -> nn.Sequential:
    """Stem (stride-2 conv, ReLU, 2x2 max pool), `blocks` two-conv blocks (plain or residual), pooling, Linear."""
    if not isinstance(blocks, int) or isinstance(blocks, bool) or blocks < 1:
        raise ValueError(f"blocks must be a positive integer; got {blocks!r}.")
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ValueError(f"width must be a positive integer; got {width!r}.")
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, width, kernel_size=3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        *[TwoConvBlock(width, skip) for _ in range(blocks)],
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10),
    )


def check_batch(x: torch.Tensor, y: torch.Tensor) -> None:
    """Raise a ValueError unless x is (N, 1, H, W) images and y is (N,) integer labels."""
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != 1:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be a batch of grey images of shape (N, 1, H, W); got {got}.")
    if not isinstance(y, torch.Tensor) or y.shape != (x.shape[0],) or y.is_floating_point():
        got = f"{tuple(y.shape)} {y.dtype}" if isinstance(y, torch.Tensor) else type(y).__name__
        raise ValueError(f"y must be integer labels of shape ({x.shape[0]},) to match x; got {got}.")


def conv_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[float]:
    """L2 norm of the loss gradient for every Conv2d weight of `model`, input side first (one batch)."""
    check_batch(x, y)
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [m.weight.grad.norm().item() for m in model.modules() if isinstance(m, nn.Conv2d)]


class GradientFlowExplorer(Explorer):
    """Depth slider: per-layer gradient norms at initialisation, plain stack vs the same stack with skips."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, width: int = 8, max_blocks: int = 30) -> None:
        check_batch(x, y)
        self.x, self.y, self.width = x.detach().float().cpu(), y.detach().cpu(), width
        depth = W.IntSlider(10, min=1, max=max_blocks, description="blocks", continuous_update=False)
        super().__init__({"blocks": depth}, title="Gradient norm per conv layer at initialisation")

    def compute(self, blocks: int) -> dict[str, Any]:
        """Gradient norms of every conv layer (stem first) for the plain and the residual net of `blocks` blocks."""
        plain = conv_grad_norms(deep_cnn(blocks, skip=False, width=self.width), self.x, self.y)
        residual = conv_grad_norms(deep_cnn(blocks, skip=True, width=self.width), self.x, self.y)
        return {"blocks": blocks, "conv_layers": 2 * blocks + 1, "plain": plain, "residual": residual,
                "first_layer_ratio": residual[0] / max(plain[0], 1e-45)}

    def draw(self, state: dict[str, Any]) -> Figure:
        fig, ax = plt.subplots(figsize=(7, 3.4))
        layers = range(1, state["conv_layers"] + 1)
        floor = 1e-30  # a gradient that underflowed to 0 is drawn at the bottom of the axis
        ax.semilogy(layers, [max(v, floor) for v in state["plain"]], "o-", ms=3, label="plain (no skips)")
        ax.semilogy(layers, [max(v, floor) for v in state["residual"]], "s-", ms=3, label="residual (with skips)")
        ax.set_xlabel("conv layer (1 = next to the input)")
        ax.set_ylabel("‖∂loss/∂W‖")
        ax.set_title(f"{state['blocks']} blocks = {state['conv_layers']} conv layers: first layer gets "
                     f"{state['first_layer_ratio']:.1e}× more gradient with skips", fontsize=10)
        ax.grid(alpha=0.3, which="major")
        ax.legend(loc="lower right")
        fig.tight_layout()
        return fig
