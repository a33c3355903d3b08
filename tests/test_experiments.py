import math
import threading
import time

import numpy as np
import pytest
import torch
from torch import nn

from helpers import data, training
from helpers.experiments import Spread, best_lr, cpu_workers, run_all, spread, sweep, table


def test_spread_mean_low_high_and_format():
    s = spread([0.97, 0.98, np.float32(0.99)])
    assert s.mean == pytest.approx(0.98) and s.low == 0.97 and s.high == pytest.approx(0.99)
    assert s.format(3) == "0.980 (0.970–0.990)" and spread([0.5]).format(2) == "0.50"
    assert not s.failed


def test_a_diverged_run_makes_the_whole_spread_fail():
    s = spread([0.9, math.nan, 0.8])
    assert s.failed and math.isnan(s.mean) and math.isnan(s.low) and s.format() == "diverged"
    assert spread([1.0, math.inf]).failed


@pytest.mark.parametrize(("values", "message"), [([], "at least one value"), (["0.9"], "value 0 must be a number"),
                                                 ([True], "must be a number")])
def test_spread_refuses_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        spread(values)


def test_sweep_runs_every_lr_and_seed_in_order():
    calls = []
    out = sweep(lambda lr, seed: calls.append((lr, seed)) or lr * 10 + seed, [0.1, 1.0], [0, 1, 2], workers=1)
    assert calls == [(0.1, 0), (0.1, 1), (0.1, 2), (1.0, 0), (1.0, 1), (1.0, 2)]
    assert out == {0.1: [1.0, 2.0, 3.0], 1.0: [10.0, 11.0, 12.0]}


@pytest.mark.parametrize(("lrs", "seeds", "message"), [
    ([], [0], "non-empty list of learning rates"),
    (0.1, [0], "non-empty list of learning rates"),
    ([0.1, -1.0], [0], "positive and finite"),
    ([0.1, 0.1], [0], "repeat"),
    ([0.1], [], "non-empty list of integers"),
    ([0.1], [0, 0], "seeds repeat"),
    ([0.1], [1.5], r"seeds\[0\] must be an integer"),
])
def test_sweep_refuses_bad_grids(lrs, seeds, message):
    with pytest.raises(ValueError, match=message):
        sweep(lambda lr, seed: 0.0, lrs, seeds)


def test_sweep_refuses_what_cannot_run():
    with pytest.raises(ValueError, match="run must be a function"):
        sweep("train", [0.1], [0])


def test_best_lr_by_mean_and_never_a_diverged_one():
    scores = {0.01: [0.90, 0.91], 0.1: [0.97, 0.95], 1.0: [0.99, math.nan]}
    assert best_lr(scores) == 0.1
    assert best_lr({0.01: [0.5, 0.4], 0.1: [0.2, 0.3]}, higher_is_better=False) == 0.1
    with pytest.raises(ValueError, match="every learning rate diverged"):
        best_lr({1.0: [math.nan]})
    with pytest.raises(ValueError, match="non-empty"):
        best_lr({})


def test_table_rows_are_learning_rates_and_cells_mean_and_range():
    df = table({"plain": {0.1: [0.9, 0.92], 1.0: [math.nan, 0.1]}, "BN": {0.1: [0.95, 0.97]}}, digits=2)
    assert list(df.index) == ["0.1", "1"] and list(df.columns) == ["plain", "BN"]
    assert df.loc["0.1", "plain"] == "0.91 (0.90–0.92)" and df.loc["1", "plain"] == "diverged"
    assert df.loc["1", "BN"] == ""
    with pytest.raises(ValueError, match="non-empty"):
        table({})


def test_spread_is_a_frozen_value():
    s = Spread((1.0, 2.0))
    with pytest.raises(AttributeError):
        s.values = (3.0,)


def test_format_digits_default_and_bounds():
    s = spread([0.97, 0.98, 0.99])
    assert s.format() == "0.980 (0.970–0.990)"  # three digits by default
    assert s.format(0) == "1 (1–1)" and spread([0.5]).format(10) == "0.5000000000"
    for digits in (-1, 11):
        with pytest.raises(ValueError, match=f"^digits must be an integer in 0..10; got {digits}"):
            s.format(digits)


def test_messages_name_what_was_wrong():
    with pytest.raises(ValueError, match=r"^a Spread needs at least one value \(one per seed\); got none\.$"):
        Spread(())
    with pytest.raises(ValueError, match=r"lrs must be a non-empty list of learning rates; got 0.1\.$"):
        sweep(lambda lr, seed: 0, 0.1, [0])
    with pytest.raises(ValueError, match=r"^lrs\[1\] must be a number"):
        sweep(lambda lr, seed: 0, [0.1, "0.2"], [0])
    with pytest.raises(ValueError, match=r"every learning rate must be positive and finite; got \[0.0\]"):
        sweep(lambda lr, seed: 0, [0.0], [0])
    with pytest.raises(ValueError, match="every learning rate must be positive and finite; got"):
        sweep(lambda lr, seed: 0, [math.inf], [0])
    with pytest.raises(ValueError, match=r"seeds must be a non-empty list of integers; got 3\.$"):
        sweep(lambda lr, seed: 0, [0.1], 3)
    with pytest.raises(ValueError, match=r"seeds must be a non-empty list of integers; got \{0, 1\}\.$|got set"):
        sweep(lambda lr, seed: 0, [0.1], {0, 1})
    with pytest.raises(ValueError, match=r"scores must be a non-empty \{lr: \[score per seed\]\} dict; got \[\]\.$"):
        best_lr([])
    with pytest.raises(ValueError, match=r"^every learning rate diverged \(NaN or infinite scores\): try smaller"):
        best_lr({0.1: [math.nan]})
    with pytest.raises(ValueError, match=r"^scores must be a non-empty \{name: \{lr: \[score per seed\]\}\} dict\.$"):
        table({})


def test_table_names_its_rows_and_formats_three_digits():
    t = table({"plain": {0.1: [0.5, 0.7]}})
    assert t.index.name == "learning rate" and t.loc["0.1", "plain"] == "0.600 (0.500–0.700)"


def test_sweep_in_threads_keeps_the_order_of_lrs_and_seeds():
    def slow_first(lr, seed):
        time.sleep(0.05 if seed == 0 else 0.0)  # the first job finishes last
        return lr * 10 + seed
    assert sweep(slow_first, [0.1, 1.0], [0, 1, 2], workers=3) == {0.1: [1.0, 2.0, 3.0], 1.0: [10.0, 11.0, 12.0]}


def test_runs_really_go_side_by_side():
    meet = threading.Barrier(2, timeout=10)  # each run waits for the other: only possible if both run at once
    assert run_all(lambda k: meet.wait() >= 0 and k, [(1,), (2,)], workers=2) == [1, 2]


def _tiny_run(lr: float, seed: int) -> torch.Tensor:
    net = training.seeded_model(lambda: nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3)), seed)
    g = torch.Generator().manual_seed(123)
    x, y = torch.randn(96, 1, 4, 4, generator=g), torch.randint(0, 3, (96,), generator=g)
    loader = data.TensorLoader(x, y, batch_size=16, shuffle=True, seed=seed)
    training.fit(net, loader, epochs=2, optimizer=torch.optim.SGD, lr=lr, live=False)
    return torch.cat([p.detach().flatten() for p in net.parameters()])


def test_trained_weights_are_the_same_with_one_worker_or_several():
    one = sweep(_tiny_run, [0.05, 0.5], [0, 1, 2], workers=1)
    three = sweep(_tiny_run, [0.05, 0.5], [0, 1, 2], workers=3)
    for lr in one:
        assert all(torch.equal(a, b) for a, b in zip(one[lr], three[lr], strict=True))
    assert not torch.equal(one[0.05][0], one[0.05][1])  # the seeds differ
    assert not torch.equal(one[0.05][0], one[0.5][0])  # and so do the rates


@pytest.mark.parametrize("workers", [1, 2])
def test_seeding_the_shared_generators_inside_a_run_is_refused(workers):
    with pytest.raises(RuntimeError, match=r"training.seeded_model\(make, seed\)"):
        sweep(lambda lr, seed: training.seed_everything(seed), [0.1], [0, 1], workers=workers)
    training.seed_everything(0)  # outside a run it is allowed again


def test_seeded_model_repeats_and_checks_what_it_gets():
    def make():
        return nn.Linear(3, 2)
    assert torch.equal(training.seeded_model(make, 4).weight, training.seeded_model(make, 4).weight)
    assert not torch.equal(training.seeded_model(make, 4).weight, training.seeded_model(make, 5).weight)
    with pytest.raises(ValueError, match="make must be a function"):
        training.seeded_model(nn.Linear(3, 2), 0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        training.seeded_model(make, -1)
    with pytest.raises(TypeError, match="make\\(\\) must return an nn.Module; it returned int"):
        training.seeded_model(lambda: 3, 0)


def test_workers_default_to_the_cores_and_refuse_nonsense():
    assert cpu_workers() >= 1
    assert run_all(lambda a, b: a + b, [(1, 2), [3, 4]]) == [3, 7]
    assert run_all(lambda a: -a, [5, 6], workers=1) == [-5, -6]  # a bare value is one argument
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="workers must be an integer"):
            run_all(lambda a: a, [1], workers=bad)


def test_runs_side_by_side_use_one_torch_thread_each_and_the_count_comes_back():
    before = torch.get_num_threads()
    with training.torch_threads(2):
        seen = run_all(lambda _: torch.get_num_threads(), [1, 2, 3], workers=2)
        assert seen == [1, 1, 1] and torch.get_num_threads() == 2
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="n must be an integer"):
        with training.torch_threads(0):
            pass


def test_workers_follow_the_cores_and_a_thread_limit_in_the_environment(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = cpu_workers()
    assert cores >= 1
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert cpu_workers() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", str(cores + 5))
    assert cpu_workers() == cores  # never more than the cores
    for junk in ("", "0", "four", "-2"):
        monkeypatch.setenv("OMP_NUM_THREADS", junk)
        assert cpu_workers() == cores


def test_cpu_workers_reads_the_cores_this_process_may_use(monkeypatch):
    from helpers import experiments

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(experiments.os, "sched_getaffinity", lambda pid: {0, 1, 2} if pid == 0 else set(),
                        raising=False)
    assert cpu_workers() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", " 2 ")
    assert cpu_workers() == 2  # a teacher's limit, spaces and all
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.delattr(experiments.os, "sched_getaffinity")  # macOS and Windows have no affinity call
    monkeypatch.setattr(experiments.os, "process_cpu_count", lambda: 5, raising=False)
    monkeypatch.setattr(experiments.os, "cpu_count", lambda: 9)
    assert cpu_workers() == 5  # Python 3.13: the cores this process may use
    monkeypatch.delattr(experiments.os, "process_cpu_count")
    assert cpu_workers() == 9  # older Pythons: every core
    monkeypatch.setattr(experiments.os, "cpu_count", lambda: None)
    assert cpu_workers() == 1  # cpu_count may not know


def test_run_all_uses_at_most_workers_threads_and_none_for_a_single_job():
    def name(_):
        time.sleep(0.05)
        return threading.current_thread().name

    assert run_all(name, [1, 2, 3], workers=1) == ["MainThread"] * 3  # one worker: in this thread, in order
    assert run_all(name, [1], workers=4) == ["MainThread"]  # one job: no thread to start
    names = run_all(name, range(6), workers=2)
    assert len(set(names)) == 2 and all(n.startswith("run") for n in names)
    gate = threading.Barrier(3, timeout=10)  # three jobs, eight workers: all three must run at once

    def meet(_):
        gate.wait()
        return threading.current_thread().name

    assert len(set(run_all(meet, [1, 2, 3], workers=8))) == 3
    assert sweep(lambda lr, seed: name(lr), [0.1, 0.2], [0], workers=1) == {0.1: ["MainThread"], 0.2: ["MainThread"]}
    assert run_all(lambda a: a, [7], workers=1024) == [7]
    with pytest.raises(ValueError, match=r"^workers must be an integer in 1\.\.1024; got 1025"):
        run_all(lambda a: a, [1], workers=1025)
    with pytest.raises(ValueError, match=r"^run must be a function"):
        run_all(3, [1])


def test_seed_everything_works_in_a_thread_of_ones_own_and_its_refusal_says_why():
    errors = []

    def plain_thread():
        try:
            training.seed_everything(1)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    t = threading.Thread(target=plain_thread)
    t.start()
    t.join()
    assert errors == []  # only the runs of run_all share the generators with each other
    with pytest.raises(RuntimeError) as refused:
        run_all(lambda _: training.seed_everything(0), [1], workers=1)
    assert str(refused.value) == (
        "seed_everything was called inside a run that shares the random generators with runs in other threads (a "
        "parallel sweep), so the runs would not repeat. Build the model with training.seeded_model(make, seed) "
        "instead, and give the loader its own seed.")


def test_seeded_model_inside_a_run_leaves_seeding_refused_afterwards():
    def run(_):
        training.seeded_model(lambda: nn.Linear(2, 2), 0)
        training.seed_everything(0)  # after building, the run is an ordinary run again: refused

    with pytest.raises(RuntimeError, match="seed_everything was called inside a run"):
        run_all(run, [1], workers=1)
    with pytest.raises(ValueError, match=r"^make must be a function that builds a fresh model, such as lambda: "
                                         r"LeNet\(\); got a model that is already built \(Linear\)\.$"):
        training.seeded_model(nn.Linear(3, 2), 0)
    with pytest.raises(ValueError, match=r"^make must be a function"):
        training.seeded_model("lenet", 0)


def test_sweep_passes_its_workers_on(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the default would be one worker: only an explicit 2 gives threads
    names = sweep(lambda lr, seed: threading.current_thread().name, [0.1, 0.2], [0, 1], workers=2)
    assert all(n.startswith("run") for ns in names.values() for n in ns)
