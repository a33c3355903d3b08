"""Explorer for notebook 03: an RGB channel mixer (one kernel per input channel, the maps, and their sum)."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

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


def _image(image: Any) -> torch.Tensor:
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        shape = tuple(image.shape) if isinstance(image, torch.Tensor) else type(image).__name__
        raise ValueError(f"image must be a 3-D tensor (C, H, W); got {shape}.")
    return image.detach().float().cpu()


def mix_channels(image: torch.Tensor, kernels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel maps image[c] ⋆ kernels[c] (zero padding k//2) and their sum: one conv output channel."""
    image = _image(image)
    if not isinstance(kernels, torch.Tensor) or kernels.ndim != 3 or kernels.shape[0] != image.shape[0]:
        shape = tuple(kernels.shape) if isinstance(kernels, torch.Tensor) else type(kernels).__name__
        raise ValueError(f"kernels must be (C, kh, kw) with C = {image.shape[0]} (one per image channel); "
                         f"got {shape}.")
    kernels = kernels.detach().float().cpu()
    kh, kw = kernels.shape[1:]
    maps = torch.stack([F.conv2d(x[None, None], k[None, None], padding=(kh // 2, kw // 2))[0, 0]
                        for x, k in zip(image, kernels, strict=True)])
    return maps, maps.sum(dim=0)


class ChannelMixer(Explorer):
    """Pick a kernel for each of R, G and B: see the three maps, their sum, and one F.conv2d doing it all."""

    def __init__(self, image: torch.Tensor, r: str = "Sobel x (vertical edges)",
                 g: str = "zero (ignore channel)", b: str = "zero (ignore channel)") -> None:
        self.image = _image(image)
        if self.image.shape[0] != 3:
            raise ValueError(f"ChannelMixer needs an RGB image (3, H, W); got {tuple(self.image.shape)}.")
        for v in (r, g, b):
            preset_kernel(v)
        controls: dict[str, W.ValueWidget] = {
            name: W.Dropdown(options=list(CHANNEL_PRESETS), value=v, description=f"{name.upper()} kernel",
                             layout=W.Layout(width="300px"))
            for name, v in zip(CHANNELS, (r, g, b), strict=True)
        }
        super().__init__(controls, title="Channel mixer: one kernel per input channel, then add")

    def compute(self, r: str, g: str, b: str) -> dict[str, Any]:
        """The weight (1, 3, 3, 3), the per-channel maps, their sum, and F.conv2d's single output channel."""
        kernels = torch.stack([preset_kernel(v) for v in (r, g, b)])
        maps, total = mix_channels(self.image, kernels)
        weight = kernels[None]  # (out=1, in=3, 3, 3)
        conv = F.conv2d(self.image[None], weight, padding=1)[0, 0]
        return {"names": (r, g, b), "weight": weight, "maps": maps, "sum": total, "conv": conv,
                "max_diff": float((total - conv).abs().max())}

    def describe(self, state: dict[str, Any]) -> str:
        """The three kernels, and how far the sum of the three maps is from one 3-channel F.conv2d."""
        kernels = ", ".join(f"{c.upper()} ⋆ {n.split(' (')[0]}" for c, n in zip(CHANNELS, state["names"], strict=True))
        return (f"{kernels} · sum of the 3 maps vs F.conv2d(photo, weight {tuple(state['weight'].shape)}): "
                f"largest difference {state['max_diff']:.1e}")

    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(2, 4, figsize=(10, 5.6), layout="constrained")
        img = self.image
        axes[0, 0].imshow(np.asarray(img.permute(1, 2, 0).clamp(0, 1)))
        axes[0, 0].set_title("photo (3 channels)", fontsize=9)
        panels = [(axes[1, c + 1], state["maps"][c], f"{n} ⋆ {state['names'][c].split(' (')[0]}")
                  for c, n in enumerate("RGB")]
        for c, name in enumerate("RGB"):
            only = torch.zeros_like(img)
            only[c] = img[c]
            axes[0, c + 1].imshow(np.asarray(only.permute(1, 2, 0).clamp(0, 1)))
            axes[0, c + 1].set_title(f"input channel {name}", fontsize=9)
        for ax, a, title in [(axes[1, 0], state["sum"], "sum = one output channel"), *panels]:
            m = float(a.abs().max()) or 1.0
            ax.imshow(np.asarray(a), cmap="RdBu_r", vmin=-m, vmax=m)
            ax.set_title(title, fontsize=9, fontweight="bold" if ax is axes[1, 0] else "normal")
        for ax in axes.flat:
            ax.axis("off")
        fig.suptitle("one output channel = R map + G map + B map   (bottom row: red +, blue −; "
                     "each panel on its own scale)", fontsize=10)
        return fig
