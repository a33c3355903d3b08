"""Explorers for the cross-correlation lesson: step a window across an input; edit a kernel over a photo.

Both show the lesson's own `corr2d(X, K)`: edit it in the notebook, rerun, and they show the edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from helpers import validate as check
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


@dataclass(frozen=True)
class StepState:
    """One output cell of corr2d(X, K): where the window is, its products, and the output so far."""

    step: int
    i: int
    j: int
    patch: torch.Tensor
    products: torch.Tensor
    value: float  # what the lesson's corr2d put at (i, j)
    partial: torch.Tensor  # corr2d's output, NaN where the window has not been yet
    expression: str


class CorrelationStepper(Explorer[StepState]):
    """Slide the kernel window over X one output cell at a time; the output is the lesson's own corr2d(X, K)."""

    def __init__(self, X: torch.Tensor, K: torch.Tensor, corr2d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                 ) -> None:
        self.X, self.K = check.matrix("X", X), check.matrix("K", K)
        self.corr2d = check.function("corr2d", corr2d)
        (h, w), (kh, kw) = self.X.shape, self.K.shape
        if kh > h or kw > w:
            raise ValueError(f"the kernel {tuple(self.K.shape)} does not fit inside X {tuple(self.X.shape)}.")
        self.out_shape = (h - kh + 1, w - kw + 1)
        n = self.out_shape[0] * self.out_shape[1]
        step = W.IntSlider(0, min=0, max=n - 1, description="output cell", continuous_update=True)
        super().__init__({"step": step}, title="Cross-correlation, one output cell at a time")

    def compute(self, step: int) -> StepState:
        """Window position, its products and their sum, and corr2d's output revealed up to `step`."""
        oh, ow = self.out_shape
        step = check.integer("step", step, 0, oh * ow - 1)
        Y = self.corr2d(self.X, self.K)
        if not isinstance(Y, torch.Tensor) or tuple(Y.shape) != self.out_shape:
            raise ValueError(f"corr2d(X, K) should return a tensor of shape {self.out_shape} for X "
                             f"{tuple(self.X.shape)} and K {tuple(self.K.shape)}; got {check.describe(Y)}.")
        kh, kw = self.K.shape
        i, j = divmod(step, ow)
        patch = self.X[i:i + kh, j:j + kw]
        partial = Y.detach().float().cpu().clone().flatten()
        partial[step + 1:] = float("nan")
        value = float(Y[i, j])
        terms = " + ".join(f"{x:g}×{k:g}" for x, k in zip(patch.flatten().tolist(), self.K.flatten().tolist(),
                                                          strict=True))
        return StepState(step, i, j, patch, patch * self.K, value, partial.reshape(oh, ow),
                         f"Y[{i},{j}] = {terms} = {value:g}")

    def describe(self, state: StepState) -> str:
        return state.expression

    def draw(self, state: StepState) -> Figure:
        kh, kw = self.K.shape
        fig, axes = plt.subplots(1, 3, figsize=(8, 3), gridspec_kw={"width_ratios": [self.X.shape[1], kw,
                                                                                     self.out_shape[1]]})
        draw_grid(axes[0], self.X, (state.i, state.j, kh, kw), "input X")
        draw_grid(axes[1], self.K, None, "kernel K", cmap="Oranges")
        draw_grid(axes[2], state.partial, (state.i, state.j, 1, 1), "output Y = corr2d(X, K)", cmap="Greens")
        fig.suptitle(state.expression, fontsize=10)
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


@dataclass(frozen=True)
class EditorState:
    """A typed kernel and what the lesson's corr2d makes of the photo with it (or why it could not)."""

    error: str | None
    kernel: torch.Tensor | None
    output: torch.Tensor | None


class KernelEditor(Explorer[EditorState]):
    """Type or pick a kernel and see what the lesson's corr2d makes of the photo (no padding: it shrinks by k-1)."""

    def __init__(self, image: torch.Tensor, corr2d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                 preset: str = "Sobel x (vertical edges)") -> None:
        self.image = check.matrix("image", image)
        self.corr2d = check.function("corr2d", corr2d)
        check.choice("preset", preset, list(KERNEL_PRESETS))
        self.preset = W.Dropdown(options=list(KERNEL_PRESETS), value=preset, description="preset")
        text = W.Text(kernel_text(KERNEL_PRESETS[preset]), description="kernel", continuous_update=False,
                      layout=W.Layout(width="420px"))
        self.preset.observe(lambda ch: setattr(text, "value", kernel_text(KERNEL_PRESETS[ch["new"]])), names="value")
        super().__init__({"kernel": text}, title="Kernel editor: rows separated by ';'")
        self.widget.children = (self.widget.children[0], self.preset, *self.widget.children[1:])

    def compute(self, kernel: str) -> EditorState:
        """The parsed kernel and corr2d(photo, kernel), or the parse error to show."""
        try:
            k = parse_kernel(kernel)
        except ValueError as err:
            return EditorState(str(err), None, None)
        if k.shape[0] > self.image.shape[0] or k.shape[1] > self.image.shape[1]:
            return EditorState(f"the kernel {tuple(k.shape)} is larger than the photo {tuple(self.image.shape)}.",
                               None, None)
        return EditorState(None, k, self.corr2d(self.image, k).detach().float().cpu())

    def describe(self, state: EditorState) -> str:
        if state.error:
            return f"⚠ {state.error}"
        (h, w), (kh, kw) = self.image.shape, state.kernel.shape
        return f"corr2d(photo {h}×{w}, kernel {kh}×{kw}) → {h - kh + 1}×{w - kw + 1}"

    def draw(self, state: EditorState) -> Figure:
        fig, axes = plt.subplots(1, 3, figsize=(9, 3.3), gridspec_kw={"width_ratios": [3, 1.4, 3]})
        axes[0].imshow(np.asarray(self.image), cmap="gray")
        axes[0].set_title("input")
        if state.error:
            axes[1].axis("off")
            axes[2].text(0.5, 0.5, state.error, ha="center", va="center", wrap=True, color="crimson")
        else:
            draw_grid(axes[1], state.kernel, None, "kernel", fmt="{:.2g}", cmap="RdBu_r")
            out = state.output
            m = float(out.abs().max()) or 1.0
            signed = bool((state.kernel < 0).any())
            axes[2].imshow(np.asarray(out), cmap="RdBu_r" if signed else "gray", vmin=-m if signed else None,
                           vmax=m if signed else None)
            axes[2].set_title("corr2d output (red +, blue −)" if signed else "corr2d output")
        for ax in (axes[0], axes[2]):
            ax.axis("off")
        fig.tight_layout()
        return fig
