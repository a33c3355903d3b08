"""The Inception cost explorer is a view over the lesson's inception_cost; here PyTorch counts the reference:
a real block's parameters (count_params) and FLOPs (torch.utils.flop_counter)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from helpers.inspect import count_flops, count_params  # noqa: E402
from helpers.widgets.inception import InceptionCostExplorer  # noqa: E402


class Block(nn.Module):
    """A GoogLeNet Inception block built directly in PyTorch, with or without the 1x1 reductions."""

    def __init__(self, c_in, c1, c2, c3, c4, reduce=True):
        super().__init__()
        self.b1 = nn.Conv2d(c_in, c1, 1)
        if reduce:
            self.b2 = nn.Sequential(nn.Conv2d(c_in, c2[0], 1), nn.Conv2d(c2[0], c2[1], 3, padding=1))
            self.b3 = nn.Sequential(nn.Conv2d(c_in, c3[0], 1), nn.Conv2d(c3[0], c3[1], 5, padding=2))
        else:
            self.b2 = nn.Conv2d(c_in, c2[1], 3, padding=1)
            self.b3 = nn.Conv2d(c_in, c3[1], 5, padding=2)
        self.b4 = nn.Conv2d(c_in, c4, 1)

    def forward(self, x):
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(pooled)], dim=1)


def pytorch_cost(in_channels, size, c1, c2, c3, c4, reduce=True):
    """Reference inception_cost: build the block and let PyTorch count each branch."""
    block = Block(in_channels, c1, c2, c3, c4, reduce)
    shape = (1, in_channels, size, size)
    return {name: (count_params(branch), count_flops(branch, shape))
            for name, branch in zip(("1x1", "3x3", "5x5", "pool"), (block.b1, block.b2, block.b3, block.b4),
                                    strict=True)}


def test_explorer_state_and_savings():
    ex = InceptionCostExplorer(pytorch_cost, size=8)
    s = ex.state
    assert s.out_channels == 64 + 128 + 32 + 32 == 256
    assert s.total(True, "params") == 163_696 and s.total(False, "params") == 393_472
    assert s.flop_saving == pytest.approx(s.total(False, "flops") / s.total(True, "flops")) and s.flop_saving > 2
    assert ex.caption.value == "256 output channels; the 1x1 reductions save 2.4× parameters and 2.4× FLOPs"
    s = ex.set(in_channels=10, size=12, c1=16, r2=16, o2=24, r3=16, o3=24, c4=24)
    assert s.out_channels == 88 == Block(10, 16, (16, 24), (16, 24), 24)(torch.zeros(1, 10, 12, 12)).shape[1]
    assert len(ex.static_figure(size=4).axes) == 2


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"c2\[1\] must be an integer >= 1; got \(96,\)|c2 must be an int or a pair"):
        InceptionCostExplorer(pytorch_cost, c2=(96,))
    with pytest.raises(ValueError, match="size must be an integer in 1..64; got 0"):
        InceptionCostExplorer(pytorch_cost, size=0)
    with pytest.raises(ValueError, match=r"should return \{branch: \(parameters, FLOPs\)\}.*got"):
        _ = InceptionCostExplorer(lambda *a, **k: {"1x1": (1, 2)}).state
    with pytest.raises(KeyError, match="no control named"):
        InceptionCostExplorer(pytorch_cost, size=4).set(width=3)
