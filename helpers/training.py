"""Training loops: device choice, seeding, accuracy, and `fit` with a progress bar and live curves."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from helpers import validate
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


_SEEDING = threading.Lock()
_thread = threading.local()  # .worker: a run of a parallel sweep; .building: inside seeded_model


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) so runs repeat."""
    if getattr(_thread, "worker", False) and not getattr(_thread, "building", False):
        raise RuntimeError("seed_everything was called inside a run that shares the random generators with runs in "
                           "other threads (a parallel sweep), so the runs would not repeat. Build the model with "
                           "training.seeded_model(make, seed) instead, and give the loader its own seed.")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def seeded_model(make: Callable[[], nn.Module], seed: int) -> nn.Module:
    """`make()` right after seeding every generator with `seed`, safe while other threads train (parallel runs)."""
    if isinstance(make, nn.Module):
        raise ValueError(f"make must be a function that builds a fresh model, such as lambda: LeNet(); got a model "
                         f"that is already built ({type(make).__name__}).")
    make, seed = validate.function("make", make), validate.integer("seed", seed, low=0)
    with _SEEDING:
        _thread.building = True
        try:
            seed_everything(seed)
            model = make()
        finally:
            _thread.building = False
    if not isinstance(model, nn.Module):
        raise TypeError(f"make() must return an nn.Module; it returned {type(model).__name__}.")
    return model


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Let torch use `n` threads inside the block (a run alone can use every core), then restore the old count."""
    n, before = validate.integer("n", n, low=1, high=1024), torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def parallel_run() -> Iterator[None]:
    """Mark this thread as running one of several runs side by side: seed_everything then refuses (its seeds would
    be shared)."""
    _thread.worker = True
    try:
        yield
    finally:
        _thread.worker = False


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
    with cpu_fast_layout(model, device):
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
    """What `fit` measured: per-epoch and per-step numbers (validation, never test), plus wall time."""

    epoch: list[int] = field(default_factory=list)
    epoch_step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_acc: list[float] = field(default_factory=list)  # validation accuracy every `eval_every` steps
    lr: list[float] = field(default_factory=list)  # the learning rate at each logged step
    seconds: float = 0.0
    examples: int = 0

    def steps_to(self, acc: float) -> int | None:
        """First step at which the periodic validation accuracy reached `acc` (None if never)."""
        return next((s for s, a in zip(self.eval_step, self.eval_acc, strict=True) if a >= acc), None)


OptimizerArg = Callable[..., torch.optim.Optimizer] | torch.optim.Optimizer | None
SchedulerArg = Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler] | None


def make_optimizer(model: nn.Module, optimizer: OptimizerArg = None, lr: float | None = None) -> torch.optim.Optimizer:
    """SGD(lr) by default, `optimizer(params, lr=lr)` for a class or factory, or an optimizer instance as it is."""
    if isinstance(optimizer, torch.optim.Optimizer):
        if lr is not None:
            raise ValueError(f"lr={lr} would be ignored: the optimizer instance already has its learning rate "
                             f"({optimizer.param_groups[0]['lr']}). Pass lr to the optimizer, or pass its class.")
        return optimizer
    if lr is None:
        lr = 0.1 if optimizer is None else None
    if optimizer is None:
        return torch.optim.SGD(model.parameters(), lr=lr)
    if not callable(optimizer):
        raise ValueError(f"optimizer must be an optimizer class (e.g. torch.optim.Adam), a factory or an instance; "
                         f"got {type(optimizer).__name__}.")
    return optimizer(model.parameters(), lr=lr) if lr is not None else optimizer(model.parameters())


def train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, opt: torch.optim.Optimizer
               ) -> tuple[float, int]:
    """One minibatch step of cross-entropy training; returns (loss, number of correct predictions)."""
    logits = model(x)
    _check_logits(logits, y)
    loss = F.cross_entropy(logits, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item(), (logits.argmax(1) == y).sum().item()


def fit(
    model: nn.Module,
    train: Batches,
    val: Batches | None = None,
    epochs: int = 1,
    *,
    optimizer: OptimizerArg = None,
    lr: float | None = None,
    scheduler: SchedulerArg = None,
    scheduler_every: str = "epoch",
    device: torch.device | None = None,
    eval_every: int | None = None,
    log_every: int = 20,
    live: bool = True,
    title: str | None = None,
) -> History:
    """Train a classifier on `train` (cross-entropy), measuring accuracy on validation batches `val`; show progress.

    `optimizer`: a class such as torch.optim.Adam (built with `lr`), or an instance (then leave `lr` out); SGD with
    lr 0.1 by default. `scheduler(optimizer)` builds a learning-rate schedule, stepped after every epoch (PyTorch's
    convention) or, with scheduler_every="batch", after every step (OneCycleLR, CyclicLR). On a CPU the model's
    conv weights are channels-last while it trains (`cpu_fast_layout`) and in the usual layout again afterwards.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1; got {epochs!r}.")
    if scheduler_every not in ("epoch", "batch"):
        raise ValueError(f"scheduler_every must be 'epoch' or 'batch'; got {scheduler_every!r}.")
    if eval_every and val is None:
        raise ValueError(f"eval_every={eval_every} needs validation batches: pass val.")
    device = device or try_device()
    opt = make_optimizer(model.to(device), optimizer, lr)
    schedule = scheduler(opt) if scheduler is not None else None
    with cpu_fast_layout(model, device):
        return _fit(model, train, val, epochs, opt, schedule, scheduler_every, device, eval_every, log_every,
                    LiveCurves(title=title) if live else None)


@contextmanager
def cpu_fast_layout(model: nn.Module, device: torch.device | str) -> Iterator[None]:
    """On a CPU with oneDNN, conv weights are channels-last inside the block (faster, same values up to rounding)."""
    # Restored to the usual layout afterwards; a nested block finds the weights channels-last already and does nothing.
    fast = torch.device(device).type == "cpu" and torch.backends.mkldnn.is_available() and any(
        p.dim() == 4 and not p.is_contiguous(memory_format=torch.channels_last) for p in model.parameters())
    if fast:
        model.to(memory_format=torch.channels_last)
    try:
        yield
    finally:
        if fast:
            model.to(memory_format=torch.contiguous_format)


def _fit(model: nn.Module, train: Batches, val: Batches | None, epochs: int, opt: torch.optim.Optimizer,
         schedule: torch.optim.lr_scheduler.LRScheduler | None, scheduler_every: str, device: torch.device,
         eval_every: int | None, log_every: int, curves: LiveCurves | None) -> History:
    hist, start, step = History(), time.perf_counter(), 0
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = tqdm(train, total=len(train) if hasattr(train, "__len__") else None, desc=f"epoch {epoch}/{epochs}",
                   disable=curves is None, mininterval=1.0)  # a few progress messages a second, not dozens
        for batch in bar:
            x, y = (t.to(device) for t in _check_batch(batch, "the training loader"))
            loss, right = train_step(model, x, y, opt)
            if schedule is not None and scheduler_every == "batch":
                schedule.step()
            step, total_loss, correct, seen = step + 1, total_loss + loss * len(y), correct + right, seen + len(y)
            if step % log_every == 0:
                hist.step.append(step)
                hist.step_loss.append(loss)
                hist.lr.append(opt.param_groups[0]["lr"])
                bar.set_postfix(loss=f"{loss:.3f}")
                if curves is not None:
                    curves.update(hist)
            if eval_every and step % eval_every == 0:
                hist.eval_step.append(step)
                hist.eval_acc.append(evaluate_accuracy(model, val, device))
                model.train()
        if schedule is not None and scheduler_every == "epoch":
            schedule.step()
        hist.epoch.append(epoch)
        hist.epoch_step.append(step)
        hist.train_loss.append(total_loss / seen)
        hist.train_acc.append(correct / seen)
        hist.examples += seen
        if val is not None:  # measured again unless the periodic evaluation has just measured this very model
            fresh = hist.eval_step and hist.eval_step[-1] == step
            hist.val_acc.append(hist.eval_acc[-1] if fresh else evaluate_accuracy(model, val, device))
        if curves is not None:
            curves.update(hist, force=True)
    hist.seconds = time.perf_counter() - start
    if curves is not None:
        curves.close()
    return hist
