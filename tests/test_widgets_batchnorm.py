import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.widgets.batchnorm import RunningStatsExplorer, settle_steps, track_running_stats  # noqa: E402


def population() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(2000, 1, 5, 5) * 2 + 3  # mean 3, variance 4


def test_settle_steps():
    assert settle_steps(0.1) == 44 and settle_steps(0.5) == 7 and settle_steps(1.0) == 1
    with pytest.raises(ValueError, match=r"\(0, 1\]; got 0"):
        settle_steps(0)


def test_first_step_is_the_pytorch_update():
    pop = population().reshape(2000, 1, -1)
    record = track_running_stats(pop, batch_size=16, momentum=0.1, steps=3)
    first_mean, first_var = record["batch_mean"][0], record["batch_var"][0]
    torch.testing.assert_close(record["running_mean"][0], 0.1 * first_mean)
    torch.testing.assert_close(record["running_var"][0], 0.9 + 0.1 * first_var)
    full = track_running_stats(pop, batch_size=16, momentum=1.0, steps=5)
    torch.testing.assert_close(full["running_mean"], full["batch_mean"])  # momentum 1: only the last batch
    torch.testing.assert_close(full["running_var"], full["batch_var"])


def test_converges_and_trades_speed_for_noise():
    ex = RunningStatsExplorer(population(), steps=200)
    assert ex.true_mean == pytest.approx(3, abs=0.1) and ex.true_var == pytest.approx(4, abs=0.3)
    calm = ex.compute(batch_size=64, momentum=0.1)
    assert calm["running_mean"].shape == (200,) and calm["step"][-1] == 200
    assert calm["mean_error"] < 0.1 and calm["var_error"] < 0.3 and calm["settle_steps"] == 44
    assert calm["running_mean"][0] < 0.5  # starts near 0 and climbs
    jumpy = ex.compute(batch_size=2, momentum=0.5)
    assert jumpy["mean_jitter"] > 3 * calm["mean_jitter"]
    slow = ex.compute(batch_size=64, momentum=0.01)
    assert slow["running_mean"][-1] < 0.9 * ex.true_mean  # after 200 steps it still remembers the start
    assert ex.set(batch_size=8)["batch_size"] == 8
    assert len(ex.static_figure(momentum=0.3).axes) == 2


def test_same_state_for_same_values():
    ex = RunningStatsExplorer(population(), steps=20, seed=3)
    a, b = ex.compute(batch_size=4, momentum=0.2), ex.compute(batch_size=4, momentum=0.2)
    assert torch.equal(a["running_var"], b["running_var"])


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"population must be a tensor \(N, \.\.\.\) of N >= 2 .* got \(1, 3\)"):
        RunningStatsExplorer(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="got list"):
        RunningStatsExplorer([1.0, 2.0])
    with pytest.raises(ValueError, match="steps must be at least 2"):
        RunningStatsExplorer(population(), steps=1)
    ex = RunningStatsExplorer(population(), steps=10)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2 .* got 1"):
        ex.compute(batch_size=1, momentum=0.1)
    with pytest.raises(ValueError, match="momentum must be in"):
        ex.compute(batch_size=4, momentum=1.5)
