"""Explorer for the padding-and-stride lesson: convolution arithmetic (n, k, padding, stride, dilation) on a grid."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers import validate as check
from helpers.inspect import conv_output_size
from helpers.widgets._base import Explorer

#: slider ranges (inclusive) for the explorer's controls: name -> (lowest, highest)
RANGES: dict[str, tuple[int, int]] = {"n": (1, 12), "k": (1, 7), "p": (0, 4), "s": (1, 4), "d": (1, 3)}
LABELS = {"n": "input n", "k": "kernel k", "p": "padding p", "s": "stride s", "d": "dilation d"}
INPUT, PAD, TAP, PAD_TAP, DONE, NOW = "#9ecae1", "white", "#08519c", "#7f8fa6", "#74c476", "#006d2c"


@dataclass(frozen=True)
class ArithState:
    """One geometry: sizes by the formula and by PyTorch, and the window of one output cell."""

    n: int
    k: int
    p: int
    s: int
    d: int
    padded: int  # n + 2p
    span: int  # d(k - 1) + 1
    out: int | None  # the formula's output side, None where no window fits
    formula: str
    torch_out: int | None
    torch_error: str | None
    error: str | None
    step: int = 0
    i: int = 0
    j: int = 0
    taps: tuple[tuple[int, int], ...] = ()
    taps_in_padding: int = 0

    @property
    def match(self) -> bool:
        """The formula and PyTorch agree (both give the same size, or both refuse)."""
        return self.out == self.torch_out


def torch_output_size(n: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> tuple[int | None, str | None]:
    """PyTorch's own answer: the output side of F.conv2d on an n x n input, or None and its error message."""
    try:
        y = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, stride=s, dilation=d)
    except RuntimeError as err:
        return None, str(err).splitlines()[0]
    return int(y.shape[-1]), None


def window_taps(i: int, j: int, k: int, s: int = 1, d: int = 1) -> list[tuple[int, int]]:
    """(row, col) in the padded input of the k*k kernel taps that produce output cell (i, j)."""
    return [(i * s + a * d, j * s + b * d) for a in range(k) for b in range(k)]


class ConvArithmetic(Explorer[ArithState]):
    """Sliders for n, k, p, s, d and an output position: the window on the padded grid, the formula, PyTorch."""

    def __init__(self, n: int = 5, k: int = 3, p: int = 1, s: int = 2, d: int = 1) -> None:
        values = {"n": n, "k": k, "p": p, "s": s, "d": d}
        for name, v in values.items():
            low, high = RANGES[name]
            check.integer(name, v, low, high)
        controls: dict[str, W.ValueWidget] = {
            name: W.IntSlider(v, min=RANGES[name][0], max=RANGES[name][1], description=LABELS[name],
                              continuous_update=False, layout=W.Layout(width="230px"))
            for name, v in values.items()
        }
        controls["step"] = W.IntSlider(0, min=0, max=self._last_step(**values), description="output cell",
                                       continuous_update=True, layout=W.Layout(width="260px"))
        self.play = W.Play(value=0, min=0, max=controls["step"].max, interval=700, description="play")
        W.link((self.play, "value"), (controls["step"], "value"))
        W.link((self.play, "max"), (controls["step"], "max"))
        super().__init__(controls, title="Convolution arithmetic: padding, stride, dilation")
        children = list(self.widget.children)
        children.insert(children.index(self.out), W.HBox([self.play, W.HTML("&nbsp;press play to slide the window")]))
        self.widget.children = tuple(children)

    @staticmethod
    def _last_step(n: int, k: int, p: int, s: int, d: int) -> int:
        try:
            return conv_output_size(n, k, p, s, d) ** 2 - 1
        except ValueError:
            return 0

    def _on_change(self, change: dict) -> None:
        with self.hold():  # one redraw, even when the new geometry clamps the step slider too
            if change["owner"] is not self.controls["step"]:
                geometry = {name: c.value for name, c in self.controls.items() if name != "step"}
                self.controls["step"].max = self._last_step(**geometry)

    def compute(self, n: int, k: int, p: int, s: int, d: int, step: int = 0) -> ArithState:
        """Output size by the formula and by PyTorch, and the window of output cell number `step`."""
        for name, v, low in (("n", n, 1), ("k", k, 1), ("p", p, 0), ("s", s, 1), ("d", d, 1), ("step", step, 0)):
            check.integer(name, v, low)
        padded, span = n + 2 * p, d * (k - 1) + 1
        top = padded - span
        formula = (f"⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊({n} + 2·{p} − {d}·{k - 1} − 1)/{s}⌋ + 1 "
                   f"= ⌊{top}/{s}⌋ + 1")
        try:
            out: int | None = conv_output_size(n, k, p, s, d)
            formula += f" = {math.floor(top / s)} + 1 = {out}"
            error = None
        except ValueError as err:
            out, error = None, str(err)
            formula += f" = {math.floor(top / s) + 1} ≤ 0: no output"
        torch_out, torch_error = torch_output_size(n, k, p, s, d)
        state = ArithState(n, k, p, s, d, padded, span, out, formula, torch_out, torch_error, error, step)
        if out is None:
            if step != 0:
                raise ValueError(f"no output cell exists for this geometry, so step must be 0; got {step}.")
            return state
        if step >= out * out:
            raise ValueError(f"step must be in 0..{out * out - 1} for a {out}×{out} output; got {step}.")
        i, j = divmod(step, out)
        taps = window_taps(i, j, k, s, d)
        pad_taps = sum(not (p <= r < p + n and p <= c < p + n) for r, c in taps)
        return replace(state, i=i, j=j, taps=tuple(taps), taps_in_padding=pad_taps)

    def describe(self, state: ArithState) -> str:
        """The formula evaluated and PyTorch's verdict, one line (shown above the picture)."""
        return state.formula + " · " + _verdict(state)

    def draw(self, state: ArithState) -> Figure:
        out = state.out or 1
        fig, axes = plt.subplots(1, 2, figsize=(8.5, 4.6),
                                 gridspec_kw={"width_ratios": [state.padded, max(out, state.padded * 0.45)]})
        draw_padded_input(axes[0], state)
        axes[0].set_title(f"input {state.n}×{state.n}, padding {state.p}: {state.padded}×"
                          f"{state.padded}\nkernel {state.k}×{state.k}, dilation {state.d}: "
                          f"span {state.span}, stride {state.s}", fontsize=9)
        if state.out is None:
            axes[1].axis("off")
            axes[1].text(0.5, 0.5, "no output position fits:\nthe kernel's span is larger\nthan the padded input",
                         ha="center", va="center", color="crimson", fontsize=9)
        else:
            draw_output(axes[1], state)
            axes[1].set_title(f"output {out}×{out}\ncell ({state.i}, {state.j}) of {out * out}", fontsize=9)
        fig.suptitle(state.formula + "\n" + _verdict(state), fontsize=9.5)
        fig.tight_layout()
        return fig

    def filmstrip(self, max_side: int = 4, **values: Any) -> Figure:
        """One small panel per output cell, laid out like the output: where each window sits (static figure)."""
        base = self.compute(**{**self.values, **values, "step": 0})
        out = base.out
        if out is None or out > max_side:
            raise ValueError(f"filmstrip draws outputs up to {max_side}×{max_side}; this geometry gives {out}.")
        fig, axes = plt.subplots(out, out, figsize=(2.1 * out, 2.1 * out), squeeze=False)
        for step, ax in enumerate(axes.flat):
            state = self.compute(**{**self.values, **values, "step": step})
            draw_padded_input(ax, state, labels=False)
            ax.set_title(f"output ({state.i}, {state.j})", fontsize=9)
        fig.suptitle(f"n={base.n}, k={base.k}, p={base.p}, s={base.s}, d={base.d}: "
                     f"{out}×{out} windows", fontsize=10)
        fig.tight_layout()
        return fig


def _verdict(state: ArithState) -> str:
    if state.torch_out is None:
        return "PyTorch refuses too: " + (state.torch_error or "").split(". ")[-1]
    verdict = f"PyTorch's F.conv2d: {state.torch_out}×{state.torch_out}"
    return verdict + ("  ✓ same" if state.match else "  ✗ DIFFERENT")


def _cell(ax: Axes, r: int, c: int, face: str, edge: str = "white", ls: str = "-", lw: float = 1.5) -> None:
    ax.add_patch(Rectangle((c, r), 1, 1, fc=face, ec=edge, ls=ls, lw=lw))


def draw_padded_input(ax: Axes, state: ArithState, labels: bool = True) -> None:
    """The padded input (dashed padding ring), the dilated kernel taps (dark; grey on padding), the span (red)."""
    n, p, m = state.n, state.p, state.padded
    for r in range(m):
        for c in range(m):
            inside = p <= r < p + n and p <= c < p + n
            _cell(ax, r, c, INPUT if inside else PAD, "white" if inside else "grey", "-" if inside else "--",
                  1.5 if inside else 0.8)
    for r, c in state.taps:
        _cell(ax, r, c, TAP if p <= r < p + n and p <= c < p + n else PAD_TAP, "white")
    if state.taps:
        r0, c0 = state.taps[0]
        ax.add_patch(Rectangle((c0, r0), state.span, state.span, fill=False, ec="crimson", lw=2.5))
    ax.set_xlim(-0.2, m + 0.2)
    ax.set_ylim(m + 0.2, -0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    if labels and state.taps:
        ax.text(m / 2, m + 0.15, f"{state.taps_in_padding} of {len(state.taps)} taps on padding",
                ha="center", va="top", fontsize=8)


def draw_output(ax: Axes, state: ArithState) -> None:
    """The output grid: cells already computed (green), the current one (dark, red outline), the rest empty."""
    out, now = state.out, state.i * state.out + state.j
    for r in range(out):
        for c in range(out):
            k = r * out + c
            _cell(ax, r, c, NOW if k == now else DONE if k < now else "white", "white" if k <= now else "grey",
                  lw=1.5 if k <= now else 0.8)
    ax.add_patch(Rectangle((state.j, state.i), 1, 1, fill=False, ec="crimson", lw=2.5))
    ax.set_xlim(-0.2, out + 0.2)
    ax.set_ylim(out + 0.2, -0.2)
    ax.set_aspect("equal")
    ax.axis("off")
