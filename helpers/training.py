"""Training loops: device choice, seeding, accuracy, and `fit` with a progress bar and live curves."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from helpers.plotting import LiveCurves

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


DEVICE_ENV = "CONVNETS_DEVICE"


def try_device(prefer_gpu: bool = True) -> torch.device:
    """$CONVNETS_DEVICE if set (the tests pin "cpu"), else CUDA if it is available (and wanted), else the CPU."""
    pinned = os.environ.get(DEVICE_ENV, "").strip()
    if pinned:
        try:
            device = torch.device(pinned)
        except RuntimeError as err:
            raise ValueError(f"{DEVICE_ENV} should name a torch device such as 'cpu' or 'cuda'; "
                             f"got {pinned!r}.") from err
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{DEVICE_ENV}={pinned!r} asks for CUDA, but torch sees no CUDA GPU on this machine.")
        return device
    return torch.device("cuda" if prefer_gpu and torch.cuda.is_available() else "cpu")


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) so runs repeat."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _check_batch(batch, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise TypeError(f"{where} must yield (images, labels) pairs, got {type(batch).__name__}.")
    return batch[0], batch[1]


def _check_logits(logits: torch.Tensor, y: torch.Tensor) -> None:
    if logits.ndim != 2 or logits.shape[0] != y.shape[0]:
        raise ValueError(
            f"the model's output should be (batch, classes) = ({y.shape[0]}, C) for labels of shape "
            f"{tuple(y.shape)}, but it has shape {tuple(logits.shape)}. Did you forget to flatten?"
        )


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of `logits` whose argmax equals the label in `y`."""
    _check_logits(logits, y)
    return (logits.argmax(dim=1) == y).float().mean().item()


@torch.no_grad()
def predict(
    model: nn.Module, batches: Batches, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits and labels over `batches`, on the CPU, with the model in eval mode."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits, labels = [], []
    for batch in batches:
        x, y = _check_batch(batch, "the loader")
        out = model(x.to(device))
        _check_logits(out, y)
        logits.append(out.cpu())
        labels.append(y)
    model.train(was_training)
    return torch.cat(logits), torch.cat(labels)


def evaluate_accuracy(model: nn.Module, batches: Batches, device: torch.device | None = None) -> float:
    """Accuracy of `model` over every batch of `batches` (eval mode, no gradients)."""
    logits, labels = predict(model, batches, device)
    return accuracy(logits, labels)


def confusion_matrix(logits: torch.Tensor, y: torch.Tensor, num_classes: int | None = None) -> torch.Tensor:
    """Counts (true class, predicted class) as an int64 matrix."""
    _check_logits(logits, y)
    k = num_classes or logits.shape[1]
    return torch.bincount(y * k + logits.argmax(1), minlength=k * k).reshape(k, k)


@dataclass
class History:
    """What `fit` measured: per-epoch and per-step numbers, plus wall time."""

    epoch: list[int] = field(default_factory=list)
    epoch_step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)
    seconds: float = 0.0
    examples: int = 0

    def steps_to(self, acc: float) -> int | None:
        """First step at which the periodic test accuracy reached `acc` (None if never)."""
        return next((s for s, a in zip(self.eval_step, self.eval_acc, strict=True) if a >= acc), None)


def fit(
    model: nn.Module,
    train: Batches,
    test: Batches | None = None,
    epochs: int = 1,
    lr: float = 0.1,
    optimizer: Callable[..., torch.optim.Optimizer] | torch.optim.Optimizer | None = None,
    loss_fn: nn.Module | None = None,
    device: torch.device | None = None,
    live: bool = True,
    eval_every: int | None = None,
    log_every: int = 20,
    title: str | None = None,
) -> History:
    """Train `model` with minibatch SGD (or `optimizer`), showing progress and live curves; return History."""
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}.")
    device = device or try_device()
    model.to(device)
    if optimizer is None:
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    else:
        opt = optimizer(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    hist = History()
    curves = LiveCurves(title=title) if live else None
    n_batches = len(train) if hasattr(train, "__len__") else None
    start, step = time.perf_counter(), 0
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        # mininterval=1: a few progress messages a second, not dozens (nbval reads them only after the cell ends)
        bar = tqdm(train, total=n_batches, desc=f"epoch {epoch}/{epochs}", leave=True, disable=not live,
                   mininterval=1.0)
        for batch in bar:
            x, y = _check_batch(batch, "the training loader")
            x, y = x.to(device), y.to(device)
            logits = model(x)
            _check_logits(logits, y)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            if step % log_every == 0:
                hist.step.append(step)
                hist.step_loss.append(loss.item())
                bar.set_postfix(loss=f"{loss.item():.3f}")
                if curves is not None:
                    curves.update(hist)
            if eval_every and test is not None and step % eval_every == 0:
                hist.eval_step.append(step)
                hist.eval_acc.append(evaluate_accuracy(model, test, device))
                model.train()
        hist.epoch.append(epoch)
        hist.train_loss.append(total_loss / seen)
        hist.train_acc.append(correct / seen)
        hist.examples += seen
        if test is not None:
            hist.test_acc.append(evaluate_accuracy(model, test, device))
        hist.epoch_step.append(step)
        if curves is not None:
            curves.update(hist, force=True)
    hist.seconds = time.perf_counter() - start
    if curves is not None:
        curves.close()
    return hist
