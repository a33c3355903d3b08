"""Explorer for notebook 07: batch size and momentum vs how BatchNorm's running statistics converge."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers.widgets._base import Explorer

BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)


def settle_steps(momentum: float, fraction: float = 0.01) -> int:
    """Steps until the initial value's weight (1 - momentum)^k drops below `fraction`."""
    if not 0 < momentum <= 1:
        raise ValueError(f"momentum must be in (0, 1]; got {momentum}.")
    if momentum == 1:
        return 1
    return math.ceil(math.log(fraction) / math.log(1 - momentum))


@torch.no_grad()
def track_running_stats(
    population: torch.Tensor, batch_size: int, momentum: float, steps: int, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Feed `steps` random batches of `population` (N, 1, L) to a fresh nn.BatchNorm1d(1); record its buffers."""
    generator = torch.Generator().manual_seed(seed)
    bn = nn.BatchNorm1d(1, momentum=momentum)
    means, variances, batch_means, batch_vars = [], [], [], []
    for _ in range(steps):
        batch = population[torch.randint(len(population), (batch_size,), generator=generator)]
        bn(batch)
        means.append(bn.running_mean[0].item())
        variances.append(bn.running_var[0].item())
        batch_means.append(batch.mean().item())
        batch_vars.append(batch.var().item())
    return {"running_mean": torch.tensor(means), "running_var": torch.tensor(variances),
            "batch_mean": torch.tensor(batch_means), "batch_var": torch.tensor(batch_vars)}


class RunningStatsExplorer(Explorer):
    """Draw batches from a population; watch running_mean and running_var move from (0, 1) to the true values."""

    def __init__(self, population: torch.Tensor, steps: int = 200, seed: int = 0) -> None:
        if not isinstance(population, torch.Tensor) or population.ndim < 1 or len(population) < 2:
            shape = tuple(population.shape) if isinstance(population, torch.Tensor) else type(population).__name__
            raise ValueError(f"population must be a tensor (N, ...) of N >= 2 examples (one value or an image "
                             f"each); got {shape}.")
        if steps < 2:
            raise ValueError(f"steps must be at least 2; got {steps}.")
        self.population = population.detach().float().cpu().reshape(len(population), 1, -1)
        self.steps, self.seed = steps, seed
        self.true_mean = self.population.mean().item()
        self.true_var = self.population.var(unbiased=False).item()
        batch = W.SelectionSlider(options=list(BATCH_SIZES), value=32, description="batch size",
                                  continuous_update=False)
        momentum = W.FloatSlider(0.1, min=0.01, max=1.0, step=0.01, description="momentum", continuous_update=False)
        super().__init__({"batch_size": batch, "momentum": momentum},
                         title="BatchNorm's running statistics, step by step")

    def compute(self, batch_size: int, momentum: float) -> dict[str, Any]:
        """Running statistics after every step, the true ones, how long the start lingers, and the late jitter."""
        if not isinstance(batch_size, int) or batch_size < 2:
            raise ValueError(f"batch_size must be an integer >= 2 (BatchNorm in training needs more than one "
                             f"example per batch to have a variance); got {batch_size!r}.")
        settle = settle_steps(momentum)  # also validates momentum
        record = track_running_stats(self.population, batch_size, momentum, self.steps, self.seed)
        late = slice(self.steps // 2, None)
        return {**record, "step": torch.arange(1, self.steps + 1), "true_mean": self.true_mean,
                "true_var": self.true_var, "settle_steps": settle,
                "mean_jitter": record["running_mean"][late].std().item(),
                "mean_error": (record["running_mean"][late] - self.true_mean).abs().mean().item(),
                "var_error": (record["running_var"][late] - self.true_var).abs().mean().item(),
                "batch_size": batch_size, "momentum": momentum}

    def draw(self, state: dict[str, Any]) -> Figure:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
        for ax, key, true in ((axes[0], "mean", state["true_mean"]), (axes[1], "var", state["true_var"])):
            ax.plot(state["step"], state[f"batch_{key}"], ".", color="tab:gray", ms=3, alpha=0.6,
                    label=f"batch {'mean' if key == 'mean' else 'variance'}")
            ax.plot(state["step"], state[f"running_{key}"], color="tab:blue", lw=2, label=f"running_{key}")
            ax.axhline(true, color="tab:red", ls="--", label="true value")
            ax.axvline(state["settle_steps"], color="tab:green", ls=":",
                       label=f"start's weight < 1% (step {state['settle_steps']})")
            ax.set_xlabel("training step")
            ax.set_title(f"running_{key} (starts at {0 if key == 'mean' else 1})", fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8, loc="best")
        fig.suptitle(f"batch size {state['batch_size']}, momentum {state['momentum']:.2f}", fontsize=10)
        return fig
