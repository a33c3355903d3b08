"""The gradient-flow explorer is a view over the lesson's network builder and gradient measurement; here a small
reference network and autograd stand in for them."""

import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from helpers.widgets.resnet import GradientFlowExplorer  # noqa: E402

torch.manual_seed(0)
X = torch.randn(16, 1, 14, 14)
Y = torch.randint(0, 10, (16,))


class Block(nn.Module):
    def __init__(self, skip: bool) -> None:
        super().__init__()
        self.skip, self.conv1, self.conv2 = skip, nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x + y) if self.skip else F.relu(y)


def deep_cnn(blocks: int, skip: bool) -> nn.Sequential:
    torch.manual_seed(0)  # as the lesson's builder does: the explorer must still leave the global RNG alone
    return nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), *[Block(skip) for _ in range(blocks)],
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))


def grad_norms(net, x, y):
    net.zero_grad()
    F.cross_entropy(net(x), y).backward()
    return [m.weight.grad.norm().item() for m in net.modules() if isinstance(m, nn.Conv2d)]


def test_explorer_shows_the_lessons_numbers():
    ex = GradientFlowExplorer(X, Y, deep_cnn, grad_norms)
    s = ex.set(blocks=12)
    assert s.conv_layers == 25 and len(s.plain) == len(s.residual) == 25
    assert list(s.plain) == pytest.approx(grad_norms(deep_cnn(12, skip=False), X, Y), rel=1e-5)
    assert s.plain[0] < 1e-6 * s.plain[-1]  # vanishes towards the input
    assert min(s.residual) > 1e-2 * max(s.residual)  # stays within two orders of magnitude
    assert s.first_layer_ratio > 1e6
    assert math.isfinite(ex.compute(blocks=ex.controls["blocks"].max).first_layer_ratio)
    assert ex.caption.value.startswith("12 blocks, 25 conv layers: the first gets")
    assert len(ex.static_figure(blocks=2).axes) == 1


def test_explorer_leaves_the_global_random_state_alone():
    ex = GradientFlowExplorer(X, Y, deep_cnn, grad_norms)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.set(blocks=3)
    ex.compute(blocks=4)
    torch.testing.assert_close(torch.rand(3), expected)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\); got a tensor of shape \(16, 14, 14\)"):
        GradientFlowExplorer(X[:, 0], Y, deep_cnn, grad_norms)
    with pytest.raises(ValueError, match=r"shape \(16,\), one per image; got a tensor of shape \(15,\)"):
        GradientFlowExplorer(X, Y[:15], deep_cnn, grad_norms)
    with pytest.raises(ValueError, match="blocks must be an integer >= 1; got 0"):
        GradientFlowExplorer(X, Y, deep_cnn, grad_norms).compute(blocks=0)


def test_arguments_are_named_in_their_refusals():
    for args, name in (((X[:, 0], Y, deep_cnn, grad_norms), "x"), ((X, Y[:15], deep_cnn, grad_norms), "y"),
                       ((X, Y, "deep_cnn", grad_norms), "deep_cnn"), ((X, Y, deep_cnn, None), "grad_norms")):
        with pytest.raises(ValueError, match=rf"^{name} must be"):
            GradientFlowExplorer(*args)
    with pytest.raises(ValueError, match=r"^max_blocks must be an integer"):
        GradientFlowExplorer(X, Y, deep_cnn, grad_norms, max_blocks=0)


def test_depth_slider_starts_at_ten_and_stops_at_max_blocks():
    ex = GradientFlowExplorer(X, Y, deep_cnn, grad_norms)
    depth = ex.controls["blocks"]
    assert (depth.value, depth.min, depth.max, depth.description, depth.continuous_update) == (
        10, 1, 30, "blocks", False)
    assert GradientFlowExplorer(X, Y, deep_cnn, grad_norms, max_blocks=4).controls["blocks"].value == 4
    assert ex.widget.children[0].value == "<b>Gradient norm per conv layer at initialisation</b>"


def test_the_figure_plots_both_networks_layer_by_layer():
    from helpers.widgets.resnet import FlowState

    ex = GradientFlowExplorer(X, Y, deep_cnn, grad_norms)
    state = FlowState(2, plain=(0.0, 1e-3, 1e-2, 1e-1, 1.0), residual=(0.5, 0.6, 0.7, 0.8, 0.9))
    fig = ex.draw(state)
    (ax,) = fig.axes
    plain, residual = ax.lines
    assert list(plain.get_xdata()) == [1, 2, 3, 4, 5] and list(residual.get_xdata()) == [1, 2, 3, 4, 5]
    assert list(plain.get_ydata()) == [1e-30, 1e-3, 1e-2, 1e-1, 1.0]  # an underflowed 0 sits at the floor
    assert list(residual.get_ydata()) == [0.5, 0.6, 0.7, 0.8, 0.9]
    assert (plain.get_marker(), plain.get_linestyle(), residual.get_marker()) == ("o", "-", "s")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain (no skips)", "residual (with skips)"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "conv layer (1 = next to the input)"
    assert ax.get_ylabel() == "‖∂loss/∂W‖"
    assert ax.get_title() == "2 blocks = 5 conv layers: first layer gets 5.0e+44× more gradient with skips"
    assert ex.describe(state) == "2 blocks, 5 conv layers: the first gets 5.0e+44× more gradient with skips"
    computed = ex.compute(blocks=3)
    assert computed.plain == pytest.approx(tuple(grad_norms(deep_cnn(3, skip=False), X, Y)), rel=1e-5)
    assert computed.residual == pytest.approx(tuple(grad_norms(deep_cnn(3, skip=True), X, Y)), rel=1e-5)
