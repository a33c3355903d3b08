"""Plotting: image grids, kernels, feature maps, number grids, training curves (static and live)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def _as_numpy(img) -> np.ndarray:
    a = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)  # (C, H, W) -> (H, W, C) for imshow
    return a.squeeze(-1) if a.ndim == 3 and a.shape[-1] == 1 else a


def show_images(
    images: Sequence | torch.Tensor,
    nrows: int = 1,
    ncols: int | None = None,
    titles: Sequence[str] | None = None,
    scale: float = 1.6,
    cmap: str = "gray",
    symmetric: bool = False,
    title: str | None = None,
) -> Figure:
    """Show images ((H, W), (C, H, W) or (H, W, C)) in a grid; returns the figure."""
    n = len(images)
    if n == 0:
        raise ValueError("show_images got no images.")
    ncols = ncols or -(-n // nrows)
    if nrows * ncols < n:
        raise ValueError(f"a {nrows}x{ncols} grid cannot hold {n} images.")
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * scale, nrows * scale), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        a = _as_numpy(images[k])
        if a.ndim not in (2, 3):
            raise ValueError(f"image {k} should be (H, W), (C, H, W) or (H, W, C); got shape {a.shape}.")
        kw = {}
        if symmetric and a.ndim == 2:
            m = float(np.abs(a).max()) or 1.0
            kw = {"vmin": -m, "vmax": m}
        ax.imshow(a, cmap=cmap if a.ndim == 2 else None, **kw)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_kernels(weight: torch.Tensor, max_kernels: int = 32, scale: float = 1.0) -> Figure:
    """Show a conv weight (out, in, kh, kw): the first input channel of each output channel, red/blue."""
    if weight.ndim != 4:
        raise ValueError(f"show_kernels expects a conv weight (out, in, kh, kw); got shape {tuple(weight.shape)}.")
    k = weight[:max_kernels, 0]
    return show_images(list(k), nrows=-(-len(k) // 8), ncols=min(8, len(k)), scale=scale,
                       cmap="RdBu_r", symmetric=True, titles=[str(i) for i in range(len(k))])


def show_feature_maps(maps: torch.Tensor, max_maps: int = 32, scale: float = 1.2, title: str | None = None) -> Figure:
    """Show the channels of one feature map (C, H, W) (or (1, C, H, W)) in a grid."""
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"show_feature_maps expects (C, H, W) or (1, C, H, W); got shape {tuple(maps.shape)}.")
    m = maps[:max_maps]
    return show_images(list(m), nrows=-(-len(m) // 8), ncols=min(8, len(m)), scale=scale, cmap="viridis",
                       title=title)


def draw_grid(
    ax: Axes,
    values,
    highlight: tuple[int, int, int, int] | None = None,
    title: str | None = None,
    fmt: str = "{:g}",
    cmap: str = "Blues",
    padding: int = 0,
    color: str = "crimson",
) -> None:
    """Draw a small matrix as labelled cells; outline `highlight` = (row, col, height, width) in `color`."""
    a = _as_numpy(values).astype(float)
    if a.ndim != 2:
        raise ValueError(f"draw_grid expects a 2-D matrix; got shape {a.shape}.")
    shade = np.nan_to_num(a)  # NaN marks a cell not computed yet: drawn blank with a '?'
    ax.imshow(shade, cmap=cmap, vmin=min(shade.min(), 0), vmax=max(shade.max(), 1e-9) * 1.6)
    for (i, j), v in np.ndenumerate(a):
        pad = padding and (i < padding or j < padding or i >= a.shape[0] - padding or j >= a.shape[1] - padding)
        ax.text(j, i, "?" if np.isnan(v) else fmt.format(v), ha="center", va="center", fontsize=9,
                color="grey" if pad else "black")
    ax.set_xticks(np.arange(-0.5, a.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, a.shape[0]), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if padding:
        ax.add_patch(Rectangle((padding - 0.5, padding - 0.5), a.shape[1] - 2 * padding, a.shape[0] - 2 * padding,
                               fill=False, ec="black", lw=1, ls="--"))
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec=color, lw=3))
    if title:
        ax.set_title(title, fontsize=10)


def plot_history(histories: dict, metric: str = "val_acc", ax: Axes | None = None) -> Figure:
    """Compare runs: `metric` per epoch (or 'step_loss' / 'eval_acc' per step) for each named History."""
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(5, 3.2))
    else:
        fig = ax.figure
    for name, h in histories.items():
        x = {"step_loss": h.step, "eval_acc": h.eval_step}.get(metric, h.epoch)
        ax.plot(x, getattr(h, metric), marker="o" if metric in ("val_acc", "train_acc", "train_loss") else None,
                label=name)
    ax.set_xlabel("step" if metric in ("step_loss", "eval_acc") else "epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.grid(alpha=0.3)
    ax.legend()
    if own:  # a caller's figure keeps the caller's layout (a second tight_layout warns in matplotlib 3.7)
        fig.tight_layout()
    return fig


def plot_confusion_matrix(cm: torch.Tensor, labels: Sequence[str] | None = None) -> Figure:
    """Show a confusion matrix (rows: true class, columns: predicted) with counts."""
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square (k, k); got shape {tuple(cm.shape)}.")
    k = cm.shape[0]
    labels = labels or [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(np.log1p(cm.numpy()), cmap="Blues")
    for (i, j), v in np.ndenumerate(cm.numpy()):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if i == j else "black")
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    return fig


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


class LiveCurves:
    """Loss and accuracy curves redrawn in place (one display handle, no flicker) while `fit` runs."""

    def __init__(self, title: str | None = None, min_interval: float = 1.0) -> None:
        self.enabled = _in_kernel()
        self.min_interval, self.last, self.cost = min_interval, 0.0, 0.0  # cost: seconds the last redraw took
        self.fig, (self.ax_loss, self.ax_acc) = plt.subplots(1, 2, figsize=(8, 3), layout="constrained")
        if title:
            self.fig.suptitle(title)
        self.handle = None
        if self.enabled:
            from IPython.display import display

            self.handle = display(self.fig, display_id=True)

    def update(self, hist, force: bool = False) -> None:
        """Redraw from a History, unless not `force` and the last redraw began under `min_interval` s ago."""
        # ... or under twenty times its own duration ago, so drawing (the PNG took 0.23 s here) is <= 5 % of a run
        now = time.perf_counter()
        if not force and now - self.last < max(self.min_interval, 20 * self.cost):
            return
        self.last = now
        ax = self.ax_loss
        ax.clear()
        ax.plot(hist.step, hist.step_loss, color="tab:blue", lw=1)
        ax.set_xlabel("step")
        ax.set_ylabel("training loss")
        ax.grid(alpha=0.3)
        ax = self.ax_acc
        ax.clear()
        if hist.eval_step:
            ax.plot(hist.eval_step, hist.eval_acc, color="tab:green", lw=1, label="validation (periodic)")
        if hist.epoch_step:
            ax.plot(hist.epoch_step, hist.train_acc, "o-", color="tab:orange", label="train")
            if hist.val_acc:
                ax.plot(hist.epoch_step, hist.val_acc, "s-", color="tab:red", label="validation")
        ax.set_xlabel("step")
        ax.set_ylabel("accuracy")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(loc="lower right")
        if self.handle is not None:
            self.handle.update(self.fig)  # the kernel renders the figure to PNG here: most of the cost
        self.cost = time.perf_counter() - now

    def close(self) -> None:
        """Release the figure (its last frame stays in the notebook)."""
        plt.close(self.fig)
