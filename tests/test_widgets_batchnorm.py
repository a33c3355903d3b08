"""The running-statistics explorer is a view over the lesson's BatchNorm layer; PyTorch's nn.BatchNorm1d stands
in for it here."""

import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.widgets.batchnorm import RunningStatsExplorer  # noqa: E402


def population() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(2000, 1, 5, 5) * 2 + 3  # mean 3, variance 4


def torch_bn(momentum: float) -> nn.Module:
    return nn.BatchNorm1d(1, momentum=momentum)


def settle(momentum: float) -> int:
    return 1 if momentum == 1 else math.ceil(math.log(0.01) / math.log(1 - momentum))


def explorer(**kw) -> RunningStatsExplorer:
    return RunningStatsExplorer(population(), torch_bn, settle, **kw)


def test_first_step_is_the_pytorch_update():
    state = explorer(steps=3).compute(batch_size=16, momentum=0.1)
    torch.testing.assert_close(state.running_mean[0], 0.1 * state.batch_mean[0])
    torch.testing.assert_close(state.running_var[0], 0.9 + 0.1 * state.batch_var[0])
    full = explorer(steps=5).compute(batch_size=16, momentum=1.0)
    torch.testing.assert_close(full.running_mean, full.batch_mean)  # momentum 1: only the last batch
    torch.testing.assert_close(full.running_var, full.batch_var)


def test_converges_and_trades_speed_for_noise():
    ex = explorer(steps=200)
    assert ex.true_mean == pytest.approx(3, abs=0.1) and ex.true_var == pytest.approx(4, abs=0.3)
    calm = ex.compute(batch_size=64, momentum=0.1)
    assert calm.running_mean.shape == (200,) and calm.step[-1] == 200
    assert calm.mean_error < 0.1 and calm.var_error < 0.3 and calm.settle_steps == 44
    assert calm.running_mean[0] < 0.5  # starts near 0 and climbs
    jumpy = ex.compute(batch_size=2, momentum=0.5)
    assert jumpy.mean_jitter > 3 * calm.mean_jitter
    slow = ex.compute(batch_size=64, momentum=0.01)
    assert slow.running_mean[-1] < 0.9 * ex.true_mean  # after 200 steps it still remembers the start
    assert ex.set(batch_size=8).batch_size == 8
    assert ex.caption.value.startswith("batch size 8, momentum 0.10: running_mean off by")
    assert len(ex.static_figure(momentum=0.3).axes) == 2


def test_same_state_for_same_values_and_the_global_rng_untouched():
    ex = explorer(steps=20, seed=3)
    torch.manual_seed(7)
    expected = torch.rand(2)
    torch.manual_seed(7)
    a, b = ex.compute(batch_size=4, momentum=0.2), ex.compute(batch_size=4, momentum=0.2)
    assert torch.equal(a.running_var, b.running_var)
    torch.testing.assert_close(torch.rand(2), expected)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"population must be a tensor \(N, \.\.\.\) of N >= 2 .* got a tensor of "
                                         r"shape \(1, 3\)"):
        RunningStatsExplorer(torch.zeros(1, 3), torch_bn, settle)
    with pytest.raises(ValueError, match=r"got \[1.0, 2.0\]"):
        RunningStatsExplorer([1.0, 2.0], torch_bn, settle)
    with pytest.raises(ValueError, match="steps must be an integer >= 2; got 1"):
        explorer(steps=1)
    with pytest.raises(ValueError, match="make_bn must be a function"):
        RunningStatsExplorer(population(), "BatchNorm", settle)
    ex = explorer(steps=10)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2; got 1"):
        ex.compute(batch_size=1, momentum=0.1)
    with pytest.raises(ValueError, match=r"momentum must be in \(0.0, 1.0\]; got 1.5"):
        ex.compute(batch_size=4, momentum=1.5)
