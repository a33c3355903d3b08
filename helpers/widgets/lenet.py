"""Explorer for the LeNet lesson: pick a test digit, see the prediction, class probabilities and first feature maps."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import validate as check
from helpers.widgets._base import Explorer


def first_conv(model: nn.Module) -> nn.Conv2d:
    """The first `nn.Conv2d` inside `model` (in registration order)."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            return module
    raise ValueError(f"{type(model).__name__} has no nn.Conv2d layer, so there are no feature maps to show.")


@torch.no_grad()
def classify_with_maps(model: nn.Module, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (K,) and the first conv layer's output (C, H, W) for one image (1, H, W)."""
    conv = first_conv(model)
    captured: list[torch.Tensor] = []
    handle = conv.register_forward_hook(lambda _m, _i, out: captured.append(out.detach()))
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        logits = model(image[None].to(device))
    finally:
        handle.remove()
        model.train(was_training)
    if logits.ndim != 2 or logits.shape[0] != 1:
        raise ValueError(f"the model should return logits of shape (1, classes) for one image; got "
                         f"{tuple(logits.shape)}.")
    return logits[0].softmax(0).cpu(), captured[0][0].cpu()


@dataclass(frozen=True)
class DigitState:
    """One test image through the model: label, prediction, class probabilities, first-layer feature maps."""

    index: int
    image: torch.Tensor  # (H, W)
    label: int
    probs: torch.Tensor  # (K,)
    maps: torch.Tensor  # (C, H', W'): the first conv layer's output

    @property
    def pred(self) -> int:
        """The predicted class."""
        return int(self.probs.argmax())

    @property
    def correct(self) -> bool:
        """Whether the prediction is the label."""
        return self.pred == self.label

    @property
    def confidence(self) -> float:
        """The probability of the predicted class."""
        return float(self.probs[self.pred])


class DigitExplorer(Explorer[DigitState]):
    """Slide through images (`name` says which split): the digit, the class probabilities, first-layer maps."""

    def __init__(self, model: nn.Module, images: torch.Tensor, labels: torch.Tensor, max_maps: int = 6,
                 name: str = "image") -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"name says what the images are, e.g. 'validation image'; got {name!r}.")
        check.image_batch("images", images, channels=1)
        check.labels_for("labels", labels, len(images))
        first_conv(model)  # fail early, with a clear message, for a model without convolutions
        self.model, self.images, self.labels = model, images.detach().cpu(), labels.detach().cpu()
        self.max_maps, self.name = max_maps, name
        index = W.IntSlider(0, min=0, max=len(images) - 1, description=name, continuous_update=False,
                            layout=W.Layout(width="480px"), style={"description_width": "initial"})
        super().__init__({"index": index}, title=f"What LeNet sees in one digit ({name}s)")

    def compute(self, index: int) -> DigitState:
        """Label, probabilities (K,) and first-layer feature maps (C, H, W) of image number `index`."""
        index = check.integer("index", index, 0, len(self.images) - 1)
        probs, maps = classify_with_maps(self.model, self.images[index])
        return DigitState(index, self.images[index, 0], int(self.labels[index]), probs, maps)

    def describe(self, state: DigitState) -> str:
        """One line: which image, its label, and what the model predicts with what confidence."""
        verdict = "right" if state.correct else "wrong"
        return (f"{self.name} {state.index}: label {state.label}, predicted {state.pred} "
                f"with probability {state.confidence:.1%} ({verdict})")

    def draw(self, state: DigitState) -> Figure:
        k = min(self.max_maps, state.maps.shape[0])
        fig = plt.figure(figsize=(10, 3.6), layout="constrained")
        grid = fig.add_gridspec(2, 3 + (k + 1) // 2, width_ratios=[2.2, 2.2, 0.2] + [1] * ((k + 1) // 2))
        ax = fig.add_subplot(grid[:, 0])
        ax.imshow(np.asarray(state.image), cmap="gray")
        ax.set_title(f"{self.name} {state.index}: label {state.label}", fontsize=10)
        ax.axis("off")
        ax = fig.add_subplot(grid[:, 1])
        probs = state.probs.numpy()
        colors = ["tab:gray"] * len(probs)
        colors[state.pred] = "tab:green" if state.correct else "tab:red"
        ax.bar(range(len(probs)), np.asarray(probs), color=colors)
        ax.set_xticks(range(len(probs)))
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("class")
        ax.set_ylabel("probability")
        verdict = "right" if state.correct else "wrong"
        ax.set_title(f"predicted {state.pred} ({state.confidence:.1%}, {verdict})", fontsize=10)
        fig.suptitle("first-layer feature maps (conv1 output, before the activation)", x=0.8, fontsize=9)
        cols = (k + 1) // 2
        for c in range(k):
            ax = fig.add_subplot(grid[c // cols, 3 + c % cols])
            ax.imshow(np.asarray(state.maps[c]), cmap="viridis")
            ax.set_title(f"map {c}", fontsize=8)
            ax.axis("off")
        return fig
