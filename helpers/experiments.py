"""Fair comparisons of training runs: every configuration over the same learning rates and seeds, summarised by
the mean and the range over seeds (never a single lucky run)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from helpers import training, validate

T = TypeVar("T")


@dataclass(frozen=True)
class Spread:
    """One measurement over several seeds: the values, their mean, lowest and highest (NaN if a run diverged)."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a Spread needs at least one value (one per seed); got none.")

    @property
    def failed(self) -> bool:
        """True if any run gave NaN or infinity (it diverged)."""
        return not all(math.isfinite(v) for v in self.values)

    @property
    def mean(self) -> float:
        return math.nan if self.failed else math.fsum(self.values) / len(self.values)

    @property
    def low(self) -> float:
        return math.nan if self.failed else min(self.values)

    @property
    def high(self) -> float:
        return math.nan if self.failed else max(self.values)

    def format(self, digits: int = 3) -> str:
        """'0.975 (0.970–0.979)': the mean, then the range over seeds in brackets."""
        digits = validate.integer("digits", digits, low=0, high=10)
        if self.failed:
            return "diverged"
        if len(self.values) == 1:
            return f"{self.mean:.{digits}f}"
        return f"{self.mean:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


def spread(values: Iterable[float]) -> Spread:
    """The Spread of `values` (one per seed)."""
    return Spread(tuple(validate.number(f"value {k}", v) for k, v in enumerate(values)))


def _learning_rates(lrs: Sequence[float]) -> list[float]:
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, Sequence) or not lrs:
        raise ValueError(f"lrs must be a non-empty list of learning rates; got {validate.describe(lrs)}.")
    clean = [validate.number(f"lrs[{k}]", lr) for k, lr in enumerate(lrs)]
    if not all(0 < lr < math.inf for lr in clean):
        raise ValueError(f"every learning rate must be positive and finite; got {clean}.")
    if len(set(clean)) != len(clean):
        raise ValueError(f"the learning rates repeat: {clean}.")
    return clean


def _seeds(seeds: Sequence[int]) -> list[int]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise ValueError(f"seeds must be a non-empty list of integers; got {validate.describe(seeds)}.")
    clean = [validate.integer(f"seeds[{k}]", s, low=0) for k, s in enumerate(seeds)]
    if len(set(clean)) != len(clean):
        raise ValueError(f"the seeds repeat: {clean}; each seed must be a different run.")
    return clean


def cpu_workers() -> int:
    """How many runs to train side by side: one per CPU core this process may use, at most $OMP_NUM_THREADS."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
        cores = len(os.sched_getaffinity(0))
    else:
        cores = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    cap = os.environ.get("OMP_NUM_THREADS", "").strip()  # a limit a teacher or JupyterHub may set
    return max(1, min(cores, int(cap)) if cap.isdigit() and int(cap) > 0 else cores)


def _workers(workers: int | None) -> int:
    return cpu_workers() if workers is None else validate.integer("workers", workers, low=1, high=1024)


def run_all(run: Callable[..., T], jobs: Iterable[tuple], workers: int | None = None) -> list[T]:
    """`run(*job)` for every job, `workers` at a time in threads (default: one per core); results in job order.

    Each run must be self-contained (build its model with `training.seeded_model`, give its loader a seed): then the
    results are the same whatever `workers` is. torch releases Python's lock inside its operations, so with one
    torch thread per run the runs really do train side by side."""
    run = validate.function("run", run)
    jobs = [tuple(job) if isinstance(job, (tuple, list)) else (job,) for job in jobs]
    workers = _workers(workers)

    def one(job: tuple) -> T:
        with training.parallel_run():
            return run(*job)

    if workers == 1 or len(jobs) <= 1:  # the same rules in one thread, so a run that breaks them fails everywhere
        return [one(job) for job in jobs]
    # one torch thread per run: runs side by side on separate cores, not torch threads fighting over them
    with training.torch_threads(1), ThreadPoolExecutor(min(workers, len(jobs)), thread_name_prefix="run") as pool:
        return list(pool.map(one, jobs))


def sweep(run: Callable[[float, int], T], lrs: Sequence[float], seeds: Sequence[int],
          workers: int | None = None) -> dict[float, list[T]]:
    """`run(lr, seed)` for every learning rate and every seed, side by side: {lr: [result per seed, in order]}."""
    run = validate.function("run", run)
    lrs, seeds = _learning_rates(lrs), _seeds(seeds)
    results = iter(run_all(run, [(lr, seed) for lr in lrs for seed in seeds], workers))
    return {lr: [next(results) for _ in seeds] for lr in lrs}


def best_lr(scores: Mapping[float, Sequence[float]], higher_is_better: bool = True) -> float:
    """The learning rate with the best mean score over seeds; a diverged one (NaN) is never best."""
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError(f"scores must be a non-empty {{lr: [score per seed]}} dict; got {validate.describe(scores)}.")
    means = {lr: spread(values).mean for lr, values in scores.items()}
    finite = {lr: m for lr, m in means.items() if math.isfinite(m)}
    if not finite:
        raise ValueError("every learning rate diverged (NaN or infinite scores): try smaller ones.")
    pick = max if higher_is_better else min
    return pick(finite, key=finite.__getitem__)


def table(scores: Mapping[str, Mapping[float, Sequence[float]]], digits: int = 3) -> pd.DataFrame:
    """A table with one row per learning rate and one column per configuration: 'mean (lowest–highest)'."""
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError("scores must be a non-empty {name: {lr: [score per seed]}} dict.")
    lrs = sorted({lr for by_lr in scores.values() for lr in by_lr})
    cells = {name: [spread(by_lr[lr]).format(digits) if lr in by_lr else "" for lr in lrs]
             for name, by_lr in scores.items()}
    return pd.DataFrame(cells, index=pd.Index([f"{lr:g}" for lr in lrs], name="learning rate"))
