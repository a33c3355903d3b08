"""Explorers for pooling and upsampling: slide the lesson's pooling window over an image; watch the lesson's
transposed convolution overlap. Both are views over the notebook's own functions, checked against PyTorch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers import validate as check
from helpers.inspect import conv_output_shape
from helpers.widgets._base import Explorer

MODES = ("max", "avg")
UPSAMPLERS = ("transposed conv", "resize + conv")
WINDOW_COLOURS = ("crimson", "darkorange", "gold")
Pool2d = Callable[..., torch.Tensor]  # pool2d(X, pool_size, mode, stride, padding) -> Y


@dataclass(frozen=True)
class PoolState:
    """The lesson's pool2d on the image for one setting, and what PyTorch says about the same setting."""

    window: int
    stride: int
    padding: int
    mode: str
    error: str | None  # PyTorch's refusal (e.g. padding > window // 2), or None
    output: torch.Tensor | None  # pool2d(image, window, mode, stride, padding)
    reference: torch.Tensor | None  # F.max_pool2d / F.avg_pool2d
    expected_shape: tuple[int, int] | None  # conv_output_shape
    matches_torch: bool
    windows: tuple[tuple[int, int, int, int], ...]  # (row, col, h, w) of the first windows, in input coordinates
    overlap: bool  # stride < window: neighbouring windows share pixels
    gaps: bool  # stride > window: some pixels are never looked at

    @property
    def shape(self) -> tuple[int, int] | None:
        """The shape of pool2d's output."""
        return None if self.output is None else tuple(self.output.shape)


class PoolingExplorer(Explorer[PoolState]):
    """Window, stride, padding and mode over a grey image: the lesson's pool2d, checked against PyTorch."""

    def __init__(self, image: torch.Tensor, pool2d: Pool2d, window: int = 2, stride: int = 2, mode: str = "max"
                 ) -> None:
        self.image = check.grey_image("image", image)
        self.pool2d = check.function("pool2d", pool2d)
        controls = {
            "window": W.IntSlider(check.integer("window", window, 1, 8), min=1, max=8, description="window"),
            "stride": W.IntSlider(check.integer("stride", stride, 1, 8), min=1, max=8, description="stride"),
            "padding": W.IntSlider(0, min=0, max=4, description="padding"),
            "mode": W.ToggleButtons(options=list(MODES), value=check.choice("mode", mode, MODES), description="mode"),
        }
        super().__init__(controls, title="Pooling: the first windows (outlined) and the output they make")

    def compute(self, window: int, stride: int, padding: int, mode: str) -> PoolState:
        """pool2d's output, PyTorch's output and shape rule, the first windows, overlap and gaps."""
        window, stride = check.integer("window", window), check.integer("stride", stride)
        padding, mode = check.integer("padding", padding, 0), check.choice("mode", mode, MODES)
        torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        try:
            reference = torch_pool(self.image[None, None], window, stride, padding)[0, 0]
            expected = conv_output_shape(tuple(self.image.shape), window, padding, stride, pooling=True)
        except (RuntimeError, ValueError) as err:  # what PyTorch refuses, the explorer shows instead
            message = str(err).splitlines()[0]
            return PoolState(window, stride, padding, mode, message, None, None, None, False, (), stride < window,
                             stride > window)
        out = self.pool2d(self.image, window, mode, stride, padding)
        if not isinstance(out, torch.Tensor) or out.ndim != 2:
            raise ValueError(f"pool2d(image, {window}, {mode!r}, {stride}, {padding}) should return a 2-D tensor; "
                             f"got {check.describe(out)}.")
        out = out.detach().float().cpu()
        matches = out.shape == reference.shape and torch.allclose(out, reference, atol=1e-5)
        starts = [(0, 0)] + [(0, stride)] * (out.shape[1] > 1) + [(stride, 0)] * (out.shape[0] > 1)
        windows = tuple((r - padding, c - padding, window, window) for r, c in starts)
        return PoolState(window, stride, padding, mode, None, out, reference, expected, matches, windows,
                         stride < window, stride > window)

    def describe(self, state: PoolState) -> str:
        """One line: the shape change and the agreement with PyTorch, or PyTorch's refusal."""
        if state.error:
            return f"⚠ PyTorch refuses: {state.error}"
        (h, w), (oh, ow) = self.image.shape, state.shape
        same = "equals" if state.matches_torch else "differs from"
        return (f"pool2d, {state.mode}: {h}×{w} → {oh}×{ow}; conv_output_shape says {state.expected_shape}; "
                f"{same} F.{state.mode}_pool2d")

    def draw(self, state: PoolState) -> Figure:
        if state.error:
            fig, ax = plt.subplots(figsize=(8, 3.2))
            ax.imshow(np.asarray(self.image), cmap="gray")
            ax.set_title(f"PyTorch refuses: {state.error}", color="crimson", fontsize=9, wrap=True)
            ax.axis("off")
            return fig
        p, (H, Wd), out = state.padding, self.image.shape, state.output
        shown = np.full((H + 2 * p, Wd + 2 * p), np.nan)
        shown[p:p + H, p:p + Wd] = self.image.numpy()
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
        cmap = plt.get_cmap("gray").with_extremes(bad="lightsteelblue")
        axes[0].imshow(shown, cmap=cmap, extent=(-p - 0.5, Wd + p - 0.5, H + p - 0.5, -p - 0.5))
        for (r, c, h, w), colour in zip(state.windows, WINDOW_COLOURS, strict=False):
            axes[0].add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec=colour, lw=2))
        pad_note = f" + padding {p} (blue)" if p else ""
        axes[0].set_title(f"input {H}×{Wd}{pad_note}", fontsize=9)
        axes[1].imshow(np.asarray(out), cmap="gray", extent=(-0.5, out.shape[1] - 0.5, out.shape[0] - 0.5, -0.5))
        axes[1].set_xlim(-0.5, max(Wd + 2 * p, out.shape[1]) - 0.5)  # same pixel scale as the input panel
        axes[1].set_ylim(max(H + 2 * p, out.shape[0]) - 0.5, -0.5)
        axes[1].set_facecolor("whitesmoke")
        ok = "✓" if state.matches_torch else "✗"
        axes[1].set_title(f"pool2d, {state.mode}: {out.shape[0]}×{out.shape[1]}\n"
                          f"conv_output_shape {state.expected_shape}, = F.{state.mode}_pool2d {ok}", fontsize=9)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        note = "windows overlap" if state.overlap else "pixels skipped" if state.gaps else "windows tile"
        fig.suptitle(f"window {state.window}, stride {state.stride}, padding {p}: {note}", fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.94))  # leave room for the suptitle
        return fig


@dataclass(frozen=True)
class UpsampleState:
    """How evenly the kernel copies overlap when upsampling, and the upsampled image."""

    kernel: int
    stride: int
    method: str
    counts: torch.Tensor  # copies landing on each output pixel, for an all-ones input and kernel
    min: int  # fewest copies away from the border
    max: int  # most copies away from the border
    output: torch.Tensor  # the image upsampled with an averaging kernel

    @property
    def uneven(self) -> bool:
        """Some interior pixels get more kernel copies than others: a checkerboard."""
        return self.min != self.max

    @property
    def size(self) -> tuple[int, int]:
        """The upsampled image's shape."""
        return tuple(self.output.shape)


class CheckerboardExplorer(Explorer[UpsampleState]):
    """Kernel size vs stride through the lesson's trans_conv and resize_conv: overlap counts and the picture."""

    def __init__(self, image: torch.Tensor, trans_conv: Callable[..., torch.Tensor],
                 resize_conv: Callable[..., torch.Tensor], kernel: int = 3, stride: int = 2) -> None:
        self.image = check.grey_image("image", image)
        if min(self.image.shape) < 12:
            raise ValueError(f"the image is too small: expected at least 12×12 (every kernel and stride the sliders "
                             f"allow must leave an interior); got {tuple(self.image.shape)}.")
        self.trans_conv = check.function("trans_conv", trans_conv)
        self.resize_conv = check.function("resize_conv", resize_conv)
        controls = {
            "kernel": W.IntSlider(check.integer("kernel", kernel, 1, 6), min=1, max=6, description="kernel"),
            "stride": W.IntSlider(check.integer("stride", stride, 1, 4), min=1, max=4, description="stride"),
            "method": W.ToggleButtons(options=list(UPSAMPLERS), value=UPSAMPLERS[0], description="method"),
        }
        super().__init__(controls, title="Upsampling: uneven overlap makes a checkerboard")

    def upsample(self, X: torch.Tensor, K: torch.Tensor, stride: int, method: str) -> torch.Tensor:
        """X (H, W) upsampled by `stride` with kernel K (k, k), by the lesson's trans_conv or resize_conv."""
        if method == UPSAMPLERS[0]:
            return self.trans_conv(X, K, stride)
        return self.resize_conv(X[None, None], K[None, None], stride)[0, 0]

    def compute(self, kernel: int, stride: int, method: str) -> UpsampleState:
        """Overlap counts on an all-ones input, their spread away from the border, and the upsampled image."""
        kernel, stride = check.integer("kernel", kernel), check.integer("stride", stride)
        method = check.choice("method", method, UPSAMPLERS)
        ones = torch.ones(kernel, kernel)
        counts = self.upsample(torch.ones_like(self.image), ones, stride, method).round()
        m = kernel + stride
        interior = counts[m:-m, m:-m]
        if interior.numel() == 0:
            raise ValueError(f"the image {tuple(self.image.shape)} is too small for kernel {kernel}, stride {stride}.")
        # averaging kernels: a transposed conv stacks (k/s)^2 copies per pixel on average, resize + conv k^2 values
        scale = (stride / kernel) ** 2 if method == UPSAMPLERS[0] else 1 / kernel**2
        output = self.upsample(self.image, ones * scale, stride, method)
        return UpsampleState(kernel, stride, method, counts, int(interior.min()), int(interior.max()), output)

    def describe(self, state: UpsampleState) -> str:
        """One line: output size and how evenly the kernel copies overlap."""
        spread = f"uneven overlap ({state.min} to {state.max} copies)" if state.uneven else "even overlap"
        return f"{state.method}: output {state.size[0]}×{state.size[1]}, {spread}"

    def draw(self, state: UpsampleState) -> Figure:
        fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
        axes[0].imshow(np.asarray(self.image), cmap="gray")
        axes[0].set_title(f"input {self.image.shape[0]}×{self.image.shape[1]}", fontsize=9)
        shown = state.counts[:12, :12].numpy()
        axes[1].imshow(shown, cmap="viridis", vmin=0)
        for (i, j), c in np.ndenumerate(shown):
            axes[1].text(j, i, f"{c:g}", ha="center", va="center", fontsize=6, color="white" if c < shown.max() / 2
                         else "black")
        verdict = f"uneven: {state.min} to {state.max}" if state.uneven else f"even: {state.max} everywhere"
        axes[1].set_title(f"overlap counts (top-left 12×12)\ninterior {verdict}", fontsize=9)
        axes[2].imshow(np.asarray(state.output), cmap="gray")
        axes[2].set_title(f"{state.method} → {state.size[0]}×{state.size[1]}", fontsize=9)
        for ax in axes:
            ax.axis("off")
        fig.suptitle(f"kernel {state.kernel}, stride {state.stride}", fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.94))  # leave room for the suptitle
        return fig
