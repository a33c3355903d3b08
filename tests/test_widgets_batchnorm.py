"""The running-statistics explorer is a view over the lesson's BatchNorm layer; PyTorch's nn.BatchNorm1d stands
in for it here."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
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


def test_controls_a_learner_moves():
    ex = explorer(steps=10)
    batch, momentum = ex.controls["batch_size"], ex.controls["momentum"]
    assert (batch.description, list(batch.options), batch.value) == ("batch size", [2, 4, 8, 16, 32, 64, 128, 256], 32)
    assert (momentum.description, momentum.value, momentum.min, momentum.max, momentum.step) == (
        "momentum", 0.1, 0.01, 1.0, 0.01)
    assert not batch.continuous_update and not momentum.continuous_update  # recomputed on release, not mid-drag
    assert ex.widget.children[0].value == "<b>BatchNorm's running statistics, step by step</b>"


def test_defaults_and_the_populations_accepted():
    default = RunningStatsExplorer(population(), torch_bn, settle)
    state = default.compute(batch_size=4, momentum=0.2)
    assert len(state.running_mean) == 200
    torch.testing.assert_close(state.running_mean, explorer(seed=0).compute(batch_size=4, momentum=0.2).running_mean)
    assert not torch.equal(state.running_mean, explorer(seed=1).compute(batch_size=4, momentum=0.2).running_mean)
    values = torch.tensor([1.0, 3.0])  # two plain values: the smallest population with a variance
    ex = RunningStatsExplorer(values, torch_bn, settle, steps=4)
    assert ex.true_mean == 2.0 and ex.true_var == 1.0  # the population's own variance (divided by N)
    assert ex.compute(batch_size=2, momentum=1.0).batch_mean.tolist() != []
    assert explorer().true_var == pytest.approx(population().var(unbiased=False).item())
    with pytest.raises(ValueError, match="settle_steps must be a function"):
        RunningStatsExplorer(population(), torch_bn, "44")


def test_errors_are_measured_over_the_second_half_and_the_caption_says_how_many_steps():
    ex = explorer(steps=7)
    state = ex.compute(batch_size=4, momentum=0.3)
    late_mean, late_var = state.running_mean[3:], state.running_var[3:]  # steps 4..7
    assert state.mean_error == pytest.approx((late_mean - state.true_mean).abs().mean().item())
    assert state.var_error == pytest.approx((late_var - state.true_var).abs().mean().item())
    assert state.mean_jitter == pytest.approx(late_mean.std().item())
    assert ex.describe(state) == (f"batch size 4, momentum 0.30: running_mean off by {state.mean_error:.3f} on "
                                  f"average over the last 4 steps")


def test_the_figure_shows_each_statistic_against_its_true_value():
    ex = explorer(steps=30)
    state = ex.compute(batch_size=8, momentum=0.25)
    fig = ex.draw(state)
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert fig.get_suptitle() == "batch size 8, momentum 0.25"
    left, right = fig.axes
    assert left.get_position().x1 <= right.get_position().x0  # side by side
    steps = list(range(1, 31))
    for ax, key, word, start, true in ((left, "mean", "mean", 0, state.true_mean),
                                       (right, "var", "variance", 1, state.true_var)):
        batch, running, true_line, settle_line = ax.lines
        assert (batch.get_label(), list(batch.get_xdata()), batch.get_marker(), batch.get_linestyle()) == (
            f"batch {word}", steps, ".", "None")  # dots, one per batch
        assert list(batch.get_ydata()) == getattr(state, f"batch_{key}").tolist()
        assert (running.get_label(), list(running.get_xdata()), running.get_linestyle()) == (
            f"running_{key}", steps, "-")
        assert list(running.get_ydata()) == getattr(state, f"running_{key}").tolist()
        assert true_line.get_label() == "true value" and list(true_line.get_ydata()) == [true, true]
        assert true_line.get_linestyle() == "--"
        assert settle_line.get_label() == f"start's weight < 1% (step {state.settle_steps})"
        assert list(settle_line.get_xdata()) == [state.settle_steps] * 2 and settle_line.get_linestyle() == ":"
        colours = [matplotlib.colors.to_hex(ln.get_color()) for ln in ax.lines]
        assert colours == [matplotlib.colors.to_hex(f"tab:{c}") for c in ("gray", "blue", "red", "green")]
        assert ax.get_title() == f"running_{key} (starts at {start})" and ax.get_xlabel() == "training step"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [ln.get_label() for ln in ax.lines]
        assert ax.get_legend()._get_loc() == 0  # "best": out of the curves' way
        assert all(g.get_visible() and g.get_alpha() == pytest.approx(0.3) for g in ax.xaxis.get_gridlines())
    plt.close(fig)
