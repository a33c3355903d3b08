"""Explorer for the channels lesson: an RGB channel mixer (one kernel per input channel, the maps, and their sum).

A view over the notebook's own `corr2d_multi_in(X, K)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from helpers import validate as check
from helpers.widgets._base import Explorer

CHANNEL_PRESETS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "negative identity": [[0, 0, 0], [0, -1, 0], [0, 0, 0]],
    "zero (ignore channel)": [[0, 0, 0]] * 3,
    "box blur": [[1 / 9] * 3] * 3,
    "Sobel x (vertical edges)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Sobel y (horizontal edges)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "Laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}
CHANNELS = ("r", "g", "b")
CMAPS = ("Reds", "Greens", "Blues")


def preset_kernel(name: str) -> torch.Tensor:
    """The 3x3 kernel of a preset name."""
    if name not in CHANNEL_PRESETS:
        raise ValueError(f"unknown kernel preset {name!r}; expected one of {list(CHANNEL_PRESETS)}.")
    return torch.tensor(CHANNEL_PRESETS[name], dtype=torch.float32)


@dataclass(frozen=True)
class MixerState:
    """One output channel of a convolution on an RGB photo: the weight, the per-channel maps and their sum."""

    names: tuple[str, str, str]
    weight: torch.Tensor  # (out=1, in=3, kh, kw)
    maps: torch.Tensor  # (3, H', W'): corr2d_multi_in on each channel alone
    sum: torch.Tensor  # (H', W'): corr2d_multi_in on all three channels, one output channel
    conv: torch.Tensor  # (H', W'): F.conv2d(photo, weight), PyTorch's answer

    @property
    def max_diff(self) -> float:
        """Largest difference between the lesson's output channel and F.conv2d's."""
        return float((self.sum - self.conv).abs().max())


class ChannelMixer(Explorer[MixerState]):
    """Pick a kernel for each of R, G and B: see the lesson's corr2d_multi_in per channel, the sum, and F.conv2d."""

    def __init__(self, image: torch.Tensor, corr2d_multi_in: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                 r: str = "Sobel x (vertical edges)", g: str = "zero (ignore channel)",
                 b: str = "zero (ignore channel)") -> None:
        if not isinstance(image, torch.Tensor) or image.ndim != 3 or image.shape[0] != 3:
            raise ValueError(f"ChannelMixer needs an RGB image (3, H, W); got {check.describe(image)}.")
        self.image = image.detach().float().cpu()
        self.corr2d_multi_in = check.function("corr2d_multi_in", corr2d_multi_in)
        controls: dict[str, W.ValueWidget] = {
            name: W.Dropdown(options=list(CHANNEL_PRESETS), value=check.choice(name, v, list(CHANNEL_PRESETS)),
                             description=f"{name.upper()} kernel", layout=W.Layout(width="300px"))
            for name, v in zip(CHANNELS, (r, g, b), strict=True)
        }
        super().__init__(controls, title="Channel mixer: one kernel per input channel, then add")

    def compute(self, r: str, g: str, b: str) -> MixerState:
        """The weight (1, 3, 3, 3), corr2d_multi_in per channel and on all three, and F.conv2d's output channel."""
        kernels = torch.stack([preset_kernel(v) for v in (r, g, b)])
        maps = torch.stack([self.corr2d_multi_in(self.image[c:c + 1], kernels[c:c + 1]) for c in range(3)])
        total = self.corr2d_multi_in(self.image, kernels)
        weight = kernels[None]  # (out=1, in=3, 3, 3)
        conv = F.conv2d(self.image[None], weight)[0, 0]
        return MixerState((r, g, b), weight, maps.detach().float(), total.detach().float(), conv)

    def describe(self, state: MixerState) -> str:
        """The three kernels, and how far the lesson's output channel is from one 3-channel F.conv2d."""
        kernels = ", ".join(f"{c.upper()} ⋆ {n.split(' (')[0]}" for c, n in zip(CHANNELS, state.names, strict=True))
        return (f"{kernels} · corr2d_multi_in vs F.conv2d(photo, weight {tuple(state.weight.shape)}): "
                f"largest difference {state.max_diff:.1e}")

    def draw(self, state: MixerState) -> Figure:
        fig, axes = plt.subplots(2, 4, figsize=(10, 5.6), layout="constrained")
        img = self.image
        axes[0, 0].imshow(np.asarray(img.permute(1, 2, 0).clamp(0, 1)))
        axes[0, 0].set_title("photo (3 channels)", fontsize=9)
        panels = [(axes[1, c + 1], state.maps[c], f"{n} ⋆ {state.names[c].split(' (')[0]}")
                  for c, n in enumerate("RGB")]
        for c, name in enumerate("RGB"):
            only = torch.zeros_like(img)
            only[c] = img[c]
            axes[0, c + 1].imshow(np.asarray(only.permute(1, 2, 0).clamp(0, 1)))
            axes[0, c + 1].set_title(f"input channel {name}", fontsize=9)
        for ax, a, title in [(axes[1, 0], state.sum, "sum = one output channel"), *panels]:
            m = float(a.abs().max()) or 1.0
            ax.imshow(np.asarray(a), cmap="RdBu_r", vmin=-m, vmax=m)
            ax.set_title(title, fontsize=9, fontweight="bold" if ax is axes[1, 0] else "normal")
        for ax in axes.flat:
            ax.axis("off")
        fig.suptitle("one output channel = R map + G map + B map   (bottom row: red +, blue −; "
                     "each panel on its own scale)", fontsize=10)
        return fig
