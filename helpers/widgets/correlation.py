"""Explorers for notebook 01: step a window across an input; edit a kernel over a photo."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from helpers.plotting import draw_grid
from helpers.widgets._base import Explorer

KERNEL_PRESETS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Sobel x (vertical edges)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y (horizontal edges)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def _matrix(t: torch.Tensor, name: str) -> torch.Tensor:
    if not isinstance(t, torch.Tensor) or t.ndim != 2:
        shape = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"{name} must be a 2-D tensor (H, W); got {shape}.")
    return t.detach().float().cpu()


class CorrelationStepper(Explorer):
    """Slide the kernel window over X one output cell at a time and show the multiply-adds."""

    def __init__(self, X: torch.Tensor, K: torch.Tensor) -> None:
        self.X, self.K = _matrix(X, "X"), _matrix(K, "K")
        (h, w), (kh, kw) = self.X.shape, self.K.shape
        if kh > h or kw > w:
            raise ValueError(f"the kernel {tuple(self.K.shape)} does not fit inside X {tuple(self.X.shape)}.")
        self.out_shape = (h - kh + 1, w - kw + 1)
        n = self.out_shape[0] * self.out_shape[1]
        step = W.IntSlider(0, min=0, max=n - 1, description="output cell", continuous_update=True)
        super().__init__({"step": step}, title="Cross-correlation, one output cell at a time")

    def compute(self, step: int) -> dict[str, Any]:
        """Window position, its products and sum, and the output filled in up to `step`."""
        oh, ow = self.out_shape
        if not 0 <= step < oh * ow:
            raise ValueError(f"step must be in 0..{oh * ow - 1}; got {step}.")
        kh, kw = self.K.shape
        i, j = divmod(step, ow)
        patch = self.X[i:i + kh, j:j + kw]
        products = patch * self.K
        Y = torch.full(self.out_shape, float("nan"))
        for s in range(step + 1):
            a, b = divmod(s, ow)
            Y[a, b] = (self.X[a:a + kh, b:b + kw] * self.K).sum()
        terms = " + ".join(f"{x:g}×{k:g}" for x, k in zip(patch.flatten().tolist(), self.K.flatten().tolist(),
                                                          strict=True))
        value = products.sum().item()
        return {"i": i, "j": j, "patch": patch, "products": products, "value": value, "partial": Y,
                "expression": f"Y[{i},{j}] = {terms} = {value:g}"}

    def describe(self, state: dict[str, Any]) -> str:
        return state["expression"]

    def draw(self, state: dict[str, Any]) -> Figure:
        kh, kw = self.K.shape
        fig, axes = plt.subplots(1, 3, figsize=(8, 3), gridspec_kw={"width_ratios": [self.X.shape[1], kw,
                                                                                     self.out_shape[1]]})
        draw_grid(axes[0], self.X, (state["i"], state["j"], kh, kw), "input X")
        draw_grid(axes[1], self.K, None, "kernel K", cmap="Oranges")
        draw_grid(axes[2], state["partial"], (state["i"], state["j"], 1, 1), "output Y", cmap="Greens")
        fig.suptitle(state["expression"], fontsize=10)
        fig.tight_layout()
        return fig


def parse_kernel(text: str) -> torch.Tensor:
    """Parse rows separated by ';' or newlines, numbers by spaces or commas: '1 0 -1; 2 0 -2; 1 0 -1'."""
    rows = [r.replace(",", " ").split() for r in text.replace("\n", ";").split(";") if r.strip()]
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError(f"a kernel needs rows of equal length, e.g. '1 0 -1; 2 0 -2; 1 0 -1'; got {text!r}.")
    try:
        return torch.tensor([[float(eval_number(x)) for x in r] for r in rows])
    except ValueError as err:
        raise ValueError(f"could not read the kernel {text!r}: {err}") from err


def eval_number(token: str) -> float:
    """A number or a simple fraction such as '1/9'."""
    if "/" in token:
        num, den = token.split("/", 1)
        return float(num) / float(den)
    return float(token)


def kernel_text(kernel: list[list[float]]) -> str:
    """The editor's text for a kernel given as nested lists."""
    return "; ".join(" ".join(f"{v:.4g}" for v in row) for row in kernel)


def apply_kernel(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Cross-correlate a grey image (H, W) with a kernel (kh, kw), zero padding keeping the size for odd kernels."""
    image, kernel = _matrix(image, "image"), _matrix(kernel, "kernel")
    kh, kw = kernel.shape
    y = F.conv2d(image[None, None], kernel[None, None], padding=(kh // 2, kw // 2))
    return y[0, 0]


class KernelEditor(Explorer):
    """Type or pick a kernel and see the photo it filters."""

    def __init__(self, image: torch.Tensor, preset: str = "Sobel x (vertical edges)") -> None:
        self.image = _matrix(image, "image")
        self.preset = W.Dropdown(options=list(KERNEL_PRESETS), value=preset, description="preset")
        text = W.Text(kernel_text(KERNEL_PRESETS[preset]), description="kernel", continuous_update=False,
                      layout=W.Layout(width="420px"))
        self.preset.observe(lambda ch: setattr(text, "value", kernel_text(KERNEL_PRESETS[ch["new"]])), names="value")
        super().__init__({"kernel": text}, title="Kernel editor: rows separated by ';'")
        self.widget.children = (self.widget.children[0], self.preset, *self.widget.children[1:])

    def compute(self, kernel: str) -> dict[str, Any]:
        """The parsed kernel and the filtered image, or the parse error to show."""
        try:
            k = parse_kernel(kernel)
        except ValueError as err:
            return {"error": str(err), "kernel": None, "output": None}
        return {"error": None, "kernel": k, "output": apply_kernel(self.image, k)}

    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 3, figsize=(9, 3.3), gridspec_kw={"width_ratios": [3, 1.4, 3]})
        axes[0].imshow(np.asarray(self.image), cmap="gray")
        axes[0].set_title("input")
        if state["error"]:
            axes[1].axis("off")
            axes[2].text(0.5, 0.5, state["error"], ha="center", va="center", wrap=True, color="crimson")
        else:
            draw_grid(axes[1], state["kernel"], None, "kernel", fmt="{:.2g}", cmap="RdBu_r")
            out = state["output"]
            m = float(out.abs().max()) or 1.0
            signed = bool((state["kernel"] < 0).any())
            axes[2].imshow(np.asarray(out), cmap="RdBu_r" if signed else "gray", vmin=-m if signed else None,
                           vmax=m if signed else None)
            axes[2].set_title("output (red +, blue −)" if signed else "output")
        for ax in (axes[0], axes[2]):
            ax.axis("off")
        fig.tight_layout()
        return fig
