"""Explorer for the batch-normalization lesson: batch size and momentum vs how the running statistics converge.

A view over the notebook's own BatchNorm layer (`make_bn(momentum)` builds one for a single channel) and its
`settle_steps(momentum)` (how many steps until the starting values weigh less than 1 %)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers import validate as check
from helpers.widgets._base import Explorer

BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)


@dataclass(frozen=True)
class RunningState:
    """The running statistics of a fresh BatchNorm layer after every step, and the batches' own statistics."""

    batch_size: int
    momentum: float
    running_mean: torch.Tensor
    running_var: torch.Tensor
    batch_mean: torch.Tensor
    batch_var: torch.Tensor
    true_mean: float
    true_var: float
    settle_steps: int

    @property
    def step(self) -> torch.Tensor:
        """1, 2, ..., steps."""
        return torch.arange(1, len(self.running_mean) + 1)

    def _late(self, series: torch.Tensor) -> torch.Tensor:
        return series[len(series) // 2:]

    @property
    def mean_jitter(self) -> float:
        """Standard deviation of running_mean over the second half of the steps."""
        return self._late(self.running_mean).std().item()

    @property
    def mean_error(self) -> float:
        """Mean distance of running_mean from the true mean over the second half."""
        return (self._late(self.running_mean) - self.true_mean).abs().mean().item()

    @property
    def var_error(self) -> float:
        """Mean distance of running_var from the true variance over the second half."""
        return (self._late(self.running_var) - self.true_var).abs().mean().item()


class RunningStatsExplorer(Explorer[RunningState]):
    """Draw batches from a population; watch running_mean and running_var move from (0, 1) to the true values."""

    def __init__(self, population: torch.Tensor, make_bn: Callable[[float], nn.Module],
                 settle_steps: Callable[[float], int], steps: int = 200, seed: int = 0) -> None:
        if not isinstance(population, torch.Tensor) or population.ndim < 1 or len(population) < 2:
            raise ValueError(f"population must be a tensor (N, ...) of N >= 2 examples (one value or an image "
                             f"each); got {check.describe(population)}.")
        self.population = population.detach().float().cpu().reshape(len(population), 1, -1)
        self.make_bn, self.settle_steps = check.function("make_bn", make_bn), check.function("settle_steps",
                                                                                            settle_steps)
        self.steps, self.seed = check.integer("steps", steps, 2), seed
        self.true_mean = self.population.mean().item()
        self.true_var = self.population.var(unbiased=False).item()
        batch = W.SelectionSlider(options=list(BATCH_SIZES), value=32, description="batch size",
                                  continuous_update=False)
        momentum = W.FloatSlider(0.1, min=0.01, max=1.0, step=0.01, description="momentum", continuous_update=False)
        super().__init__({"batch_size": batch, "momentum": momentum},
                         title="BatchNorm's running statistics, step by step")

    @torch.no_grad()
    def compute(self, batch_size: int, momentum: float) -> RunningState:
        """Feed `steps` random batches to make_bn(momentum) in training mode; record its buffers after each."""
        batch_size = check.integer("batch_size", batch_size, 2)  # one example per batch has no variance
        momentum = check.fraction("momentum", momentum)
        generator = torch.Generator().manual_seed(self.seed)  # its own: the learner's random state is untouched
        bn = self.make_bn(momentum).train()
        record: dict[str, list[float]] = {"running_mean": [], "running_var": [], "batch_mean": [], "batch_var": []}
        for _ in range(self.steps):
            batch = self.population[torch.randint(len(self.population), (batch_size,), generator=generator)]
            bn(batch)
            record["running_mean"].append(bn.running_mean[0].item())
            record["running_var"].append(bn.running_var[0].item())
            record["batch_mean"].append(batch.mean().item())
            record["batch_var"].append(batch.var().item())
        series = {k: torch.tensor(v) for k, v in record.items()}
        return RunningState(batch_size, momentum, **series, true_mean=self.true_mean, true_var=self.true_var,
                            settle_steps=int(self.settle_steps(momentum)))

    def describe(self, state: RunningState) -> str:
        return (f"batch size {state.batch_size}, momentum {state.momentum:.2f}: running_mean off by "
                f"{state.mean_error:.3f} on average over the last {self.steps - self.steps // 2} steps")

    def draw(self, state: RunningState) -> Figure:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
        for ax, key, true in ((axes[0], "mean", state.true_mean), (axes[1], "var", state.true_var)):
            ax.plot(state.step.numpy(), getattr(state, f"batch_{key}").numpy(), ".", color="tab:gray", ms=3,
                    alpha=0.6, label=f"batch {'mean' if key == 'mean' else 'variance'}")
            ax.plot(state.step.numpy(), getattr(state, f"running_{key}").numpy(), color="tab:blue", lw=2,
                    label=f"running_{key}")
            ax.axhline(true, color="tab:red", ls="--", label="true value")
            ax.axvline(state.settle_steps, color="tab:green", ls=":",
                       label=f"start's weight < 1% (step {state.settle_steps})")
            ax.set_xlabel("training step")
            ax.set_title(f"running_{key} (starts at {0 if key == 'mean' else 1})", fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, loc="best")
        fig.suptitle(f"batch size {state.batch_size}, momentum {state.momentum:.2f}", fontsize=10)
        return fig
