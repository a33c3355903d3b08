"""Explorers for notebook 04: slide a pooling window over an image; watch a transposed convolution overlap."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.inspect import conv_output_shape, transposed_output_size
from helpers.widgets._base import Explorer

MODES = ("max", "avg")
UPSAMPLERS = ("transposed conv", "resize + conv")
WINDOW_COLOURS = ("crimson", "darkorange", "gold")


def _image(t: torch.Tensor, name: str) -> torch.Tensor:
    """A 2-D float copy of `t`, or a ValueError naming the expected and received shapes."""
    if isinstance(t, torch.Tensor) and t.ndim == 4 and t.shape[:2] == (1, 1):
        t = t[0, 0]
    elif isinstance(t, torch.Tensor) and t.ndim == 3 and t.shape[0] == 1:
        t = t[0]
    if not isinstance(t, torch.Tensor) or t.ndim != 2:
        shape = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"{name} must be a grey image of shape (H, W) (or (1, H, W), (1, 1, H, W)); got {shape}.")
    return t.detach().float().cpu()


def _positive(**values: int) -> None:
    for name, v in values.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {v!r}.")


def pool_image(image: torch.Tensor, window: int, stride: int, padding: int = 0, mode: str = "max",
               ceil_mode: bool = False) -> torch.Tensor:
    """Pool a grey image window by window with PyTorch's rules (max ignores padding, avg counts it)."""
    X = _image(image, "image")
    _positive(window=window, stride=stride)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got {mode!r}.")
    if not isinstance(padding, int) or not 0 <= padding <= window // 2:
        raise ValueError(f"padding must be between 0 and window // 2 = {window // 2} (as in PyTorch); got {padding!r}.")
    H, Wd = X.shape
    oh, ow = conv_output_shape((H, Wd), window, padding, stride, ceil_mode=ceil_mode)  # raises if it cannot fit
    Y = torch.empty(oh, ow)
    for i in range(oh):
        h0 = i * stride - padding
        h1 = min(h0 + window, H + padding)
        for j in range(ow):
            w0 = j * stride - padding
            w1 = min(w0 + window, Wd + padding)
            patch = X[max(h0, 0):min(h1, H), max(w0, 0):min(w1, Wd)]
            Y[i, j] = patch.max() if mode == "max" else patch.sum() / ((h1 - h0) * (w1 - w0))
    return Y


class PoolingExplorer(Explorer):
    """Window size, stride, padding, mode and ceil_mode over a grey image; the output checked against PyTorch."""

    def __init__(self, image: torch.Tensor, window: int = 2, stride: int = 2, mode: str = "max") -> None:
        self.image = _image(image, "image")
        controls = {
            "window": W.IntSlider(window, min=1, max=8, description="window"),
            "stride": W.IntSlider(stride, min=1, max=8, description="stride"),
            "padding": W.IntSlider(0, min=0, max=4, description="padding"),
            "mode": W.ToggleButtons(options=list(MODES), value=mode, description="mode"),
            "ceil_mode": W.Checkbox(False, description="ceil_mode"),
        }
        super().__init__(controls, title="Pooling: the first windows (outlined) and the output they make")

    def compute(self, window: int, stride: int, padding: int, mode: str, ceil_mode: bool) -> dict[str, Any]:
        """The pooled image, its shape vs conv_output_shape, the first windows, and agreement with PyTorch."""
        try:
            out = pool_image(self.image, window, stride, padding, mode, ceil_mode)
        except ValueError as err:
            return {"error": str(err), "output": None}
        x = self.image[None, None]
        pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        reference = pool(x, window, stride, padding, ceil_mode=ceil_mode)[0, 0]
        starts = [(0, 0), (0, stride), (stride, 0)][: 1 + (out.shape[1] > 1) + (out.shape[0] > 1)]
        return {
            "params": {"window": window, "stride": stride, "padding": padding, "mode": mode, "ceil_mode": ceil_mode},
            "error": None, "output": out, "reference": reference,
            "shape": tuple(out.shape), "expected_shape": conv_output_shape(tuple(self.image.shape), window, padding,
                                                                           stride, ceil_mode=ceil_mode),
            "matches_torch": out.shape == reference.shape and torch.allclose(out, reference, atol=1e-6),
            "windows": [(r - padding, c - padding, window, window) for r, c in starts],
            "overlap": stride < window, "gaps": stride > window,
        }

    def describe(self, state: dict[str, Any]) -> str:
        """One line: the shape change and the agreement with PyTorch, or the error."""
        if state["error"]:
            return f"⚠ {state['error']}"
        (h, w), (oh, ow), mode = self.image.shape, state["shape"], state["params"]["mode"]
        same = "equals" if state["matches_torch"] else "differs from"
        return (f"{mode} pooling {h}×{w} → {oh}×{ow}; conv_output_shape says {state['expected_shape']}; "
                f"{same} F.{mode}_pool2d")

    def draw(self, state: dict[str, Any]) -> Figure:
        if state["error"]:
            fig, ax = plt.subplots(figsize=(8, 3.2))
            ax.imshow(np.asarray(self.image), cmap="gray")
            ax.set_title(state["error"], color="crimson", fontsize=9, wrap=True)
            ax.axis("off")
            return fig
        v = state["params"]
        p, (H, Wd), out = v["padding"], self.image.shape, state["output"]
        shown = np.full((H + 2 * p, Wd + 2 * p), np.nan)
        shown[p:p + H, p:p + Wd] = self.image.numpy()
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
        cmap = plt.get_cmap("gray").with_extremes(bad="lightsteelblue")
        axes[0].imshow(np.asarray(shown), cmap=cmap, extent=(-p - 0.5, Wd + p - 0.5, H + p - 0.5, -p - 0.5))
        for (r, c, h, w), colour in zip(state["windows"], WINDOW_COLOURS, strict=False):
            axes[0].add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec=colour, lw=2))
        pad_note = f" + padding {p} (blue)" if p else ""
        axes[0].set_title(f"input {H}×{Wd}{pad_note}", fontsize=9)
        axes[1].imshow(np.asarray(out), cmap="gray", extent=(-0.5, out.shape[1] - 0.5, out.shape[0] - 0.5, -0.5))
        axes[1].set_xlim(-0.5, max(Wd + 2 * p, out.shape[1]) - 0.5)  # same pixel scale as the input panel
        axes[1].set_ylim(max(H + 2 * p, out.shape[0]) - 0.5, -0.5)
        axes[1].set_facecolor("whitesmoke")
        ok = "✓" if state["matches_torch"] else "✗"
        axes[1].set_title(f"{v['mode']} pooled {out.shape[0]}×{out.shape[1]}\n"
                          f"conv_output_shape {state['expected_shape']}, = F.{v['mode']}_pool2d {ok}", fontsize=9)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        note = "windows overlap" if state["overlap"] else "pixels skipped" if state["gaps"] else "windows tile"
        fig.suptitle(f"window {v['window']}, stride {v['stride']}, padding {p}, ceil_mode={v['ceil_mode']}: {note}",
                     fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.94))  # leave room for the suptitle
        return fig


def upsample(image: torch.Tensor, kernel: int, stride: int, method: str = "transposed conv") -> torch.Tensor:
    """Upsample by `stride` with an all-ones kernel, as a transposed conv or as nearest resize + convolution."""
    X = _image(image, "image")
    _positive(kernel=kernel, stride=stride)
    if method not in UPSAMPLERS:
        raise ValueError(f"method must be one of {UPSAMPLERS}; got {method!r}.")
    x = X[None, None]
    if method == "transposed conv":
        weight = torch.ones(1, 1, kernel, kernel) * (stride / kernel) ** 2  # a pixel gets (k/s)^2 terms on average
        return F.conv_transpose2d(x, weight, stride=stride)[0, 0]
    big = F.interpolate(x, scale_factor=stride, mode="nearest")
    lo, hi = (kernel - 1) // 2, kernel // 2  # 'same' zero padding, the extra row/column at the end
    return F.conv2d(F.pad(big, (lo, hi, lo, hi)), torch.ones(1, 1, kernel, kernel) / kernel**2)[0, 0]


def overlap_counts(size: tuple[int, int], kernel: int, stride: int, method: str = "transposed conv") -> torch.Tensor:
    """How many terms land on each output pixel when an all-ones image of `size` is upsampled with all-ones kernels."""
    scale = kernel**2 if method == UPSAMPLERS[1] else (kernel / stride) ** 2
    return (upsample(torch.ones(size), kernel, stride, method) * scale).round()


class CheckerboardExplorer(Explorer):
    """Kernel size vs stride: how many kernel copies overlap on each output pixel, and what that does to an image."""

    def __init__(self, image: torch.Tensor, kernel: int = 3, stride: int = 2) -> None:
        self.image = _image(image, "image")
        if min(self.image.shape) < 12:
            raise ValueError(f"the image is too small: expected at least 12×12 (every kernel and stride the sliders "
                             f"allow must leave an interior); got {tuple(self.image.shape)}.")
        controls = {
            "kernel": W.IntSlider(kernel, min=1, max=6, description="kernel"),
            "stride": W.IntSlider(stride, min=1, max=4, description="stride"),
            "method": W.ToggleButtons(options=list(UPSAMPLERS), value=UPSAMPLERS[0], description="method"),
        }
        super().__init__(controls, title="Upsampling: uneven overlap makes a checkerboard")

    def compute(self, kernel: int, stride: int, method: str) -> dict[str, Any]:
        """Overlap counts on a constant input, their spread away from the border, and the upsampled image."""
        counts = overlap_counts(tuple(self.image.shape), kernel, stride, method)
        m = kernel + stride
        interior = counts[m:-m, m:-m]
        if interior.numel() == 0:
            raise ValueError(f"the image {tuple(self.image.shape)} is too small for kernel {kernel}, stride {stride}.")
        lo, hi = int(interior.min()), int(interior.max())
        n = self.image.shape[0]
        size = transposed_output_size(n, kernel, stride=stride) if method == UPSAMPLERS[0] else n * stride
        return {"params": {"kernel": kernel, "stride": stride, "method": method}, "counts": counts, "min": lo,
                "max": hi, "uneven": lo != hi, "size": size, "output": upsample(self.image, kernel, stride, method)}

    def describe(self, state: dict[str, Any]) -> str:
        """One line: output size and how evenly the kernel copies overlap."""
        spread = f"uneven overlap ({state['min']} to {state['max']} copies)" if state["uneven"] else "even overlap"
        return f"{state['params']['method']}: output {state['size']}×{state['size']}, {spread}"

    def draw(self, state: dict[str, Any]) -> Figure:
        v = state["params"]
        fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
        axes[0].imshow(np.asarray(self.image), cmap="gray")
        axes[0].set_title(f"input {self.image.shape[0]}×{self.image.shape[1]}", fontsize=9)
        shown = state["counts"][:12, :12]
        axes[1].imshow(np.asarray(shown), cmap="viridis", vmin=0)
        for (i, j), c in np.ndenumerate(shown.numpy()):
            axes[1].text(j, i, f"{c:g}", ha="center", va="center", fontsize=6, color="white" if c < shown.max() / 2
                         else "black")
        verdict = f"uneven: {state['min']} to {state['max']}" if state["uneven"] else f"even: {state['max']} everywhere"
        axes[1].set_title(f"overlap counts (top-left 12×12)\ninterior {verdict}", fontsize=9)
        out = state["output"]
        axes[2].imshow(np.asarray(out), cmap="gray")
        axes[2].set_title(f"{v['method']} → {out.shape[0]}×{out.shape[1]}", fontsize=9)
        for ax in axes:
            ax.axis("off")
        fig.suptitle(f"kernel {v['kernel']}, stride {v['stride']}", fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 0.94))  # leave room for the suptitle
        return fig
