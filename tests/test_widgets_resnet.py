import math

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from helpers.widgets.resnet import GradientFlowExplorer, TwoConvBlock, conv_grad_norms, deep_cnn  # noqa: E402

torch.manual_seed(0)
X = torch.randn(16, 1, 14, 14)
Y = torch.randint(0, 10, (16,))


def test_block_is_relu_of_sum_with_skip():
    torch.manual_seed(1)
    block = TwoConvBlock(4, skip=True)
    x = torch.randn(2, 4, 6, 6)
    inner = block.conv2(F.relu(block.conv1(x)))
    torch.testing.assert_close(block(x), F.relu(x + inner))
    block.skip = False
    torch.testing.assert_close(block(x), F.relu(inner))


def test_deep_cnn_layout_and_seed():
    net = deep_cnn(3, skip=True, width=5, seed=7)
    assert sum(isinstance(m, nn.Conv2d) for m in net.modules()) == 2 * 3 + 1
    assert net(X).shape == (16, 10)
    torch.testing.assert_close(net[0].weight, deep_cnn(3, skip=False, width=5, seed=7)[0].weight)


def test_grad_norms_match_autograd():
    net = deep_cnn(4, skip=False, seed=3)
    norms = conv_grad_norms(net, X, Y)
    ref = deep_cnn(4, skip=False, seed=3)
    F.cross_entropy(ref(X), Y).backward()
    convs = [m for m in ref.modules() if isinstance(m, nn.Conv2d)]
    assert norms == pytest.approx([c.weight.grad.norm().item() for c in convs], rel=1e-5)
    assert conv_grad_norms(net, X, Y) == pytest.approx(norms, rel=1e-5)  # gradients are zeroed, not accumulated


def test_explorer_plain_vanishes_residual_does_not():
    ex = GradientFlowExplorer(X, Y)
    s = ex.set(blocks=12)
    assert s["conv_layers"] == 25 and len(s["plain"]) == len(s["residual"]) == 25
    assert s["plain"] == pytest.approx(conv_grad_norms(deep_cnn(12, skip=False), X, Y), rel=1e-5)
    assert s["plain"][0] < 1e-6 * s["plain"][-1]  # vanishes towards the input
    assert min(s["residual"]) > 1e-2 * max(s["residual"])  # stays within two orders of magnitude
    assert s["first_layer_ratio"] > 1e6
    assert math.isfinite(ex.compute(blocks=ex.controls["blocks"].max)["first_layer_ratio"])
    assert len(ex.static_figure(blocks=2).axes) == 1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\); got \(16, 14, 14\)"):
        GradientFlowExplorer(X[:, 0], Y)
    with pytest.raises(ValueError, match=r"shape \(16,\) to match x; got \(15,\)"):
        GradientFlowExplorer(X, Y[:15])
    with pytest.raises(ValueError, match="blocks must be a positive integer; got 0"):
        deep_cnn(0, skip=True)
