import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from helpers.inspect import count_flops, count_params  # noqa: E402
from helpers.widgets.inception import InceptionCostExplorer, conv_cost, inception_cost  # noqa: E402


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


CASES = [(192, 28, 64, (96, 128), (16, 32), 32), (10, 12, 16, (16, 24), (16, 24), 24), (7, 5, 3, (2, 9), (4, 1), 6)]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("reduce", [True, False])
def test_costs_match_pytorch(case, reduce):
    c_in, size, c1, c2, c3, c4 = case
    block = Block(c_in, c1, c2, c3, c4, reduce)
    got = inception_cost(*case, reduce=reduce)
    assert got["total_params"] == count_params(block)
    assert got["total_flops"] == count_flops(block, (1, c_in, size, size))
    out = block(torch.zeros(1, c_in, size, size))
    assert out.shape == (1, got["out_channels"], size, size)
    assert got["params"]["1x1"] == count_params(block.b1) and got["params"]["5x5"] == count_params(block.b3)


def test_conv_cost():
    conv = nn.Conv2d(16, 32, 5, padding=2)
    assert conv_cost(16, 32, 5, 28) == (count_params(conv), count_flops(conv, (1, 16, 28, 28)))


def test_explorer_state_and_savings():
    ex = InceptionCostExplorer()
    s = ex.state
    assert s["out_channels"] == 64 + 128 + 32 + 32 == 256
    assert s["with"]["total_params"] == 163_696 and s["without"]["total_params"] == 393_472
    assert s["flop_saving"] == pytest.approx(s["without"]["total_flops"] / s["with"]["total_flops"])
    assert s["flop_saving"] > 2
    s = ex.set(in_channels=10, size=12, c1=16, r2=16, o2=24, r3=16, o3=24, c4=24)
    assert s["out_channels"] == 88
    assert len(ex.static_figure(size=4).axes) == 2


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"c2 must be a pair \(1x1 reduce width, 3x3 width\).*got \(96,\)"):
        inception_cost(192, 28, 64, (96,), (16, 32), 32)
    with pytest.raises(ValueError, match="size must be a positive integer; got 0"):
        inception_cost(192, 0, 64, (96, 128), (16, 32), 32)
    with pytest.raises(ValueError, match=r"c3\[1\] must be a positive integer; got -1"):
        inception_cost(192, 28, 64, (96, 128), (16, -1), 32)
    with pytest.raises(KeyError, match="no control named"):
        InceptionCostExplorer().set(width=3)
