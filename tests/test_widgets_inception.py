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


def fake_cost(in_channels, size, c1, c2, c3, c4, reduce=True):
    """Round numbers that tell the branches, and parameters from FLOPs, apart: reductions shrink 3x3 and 5x5."""
    fake_cost.calls.append(reduce)
    shrink = 4 if reduce is True else 1
    return {"1x1": (2_000, 3_000_000), "3x3": (40_000 // shrink, 50_000_000 // shrink),
            "5x5": (60_000 // shrink, 70_000_000 // shrink), "pool": (8_000, 9_000_000)}


fake_cost.calls = []


def test_inception_controls_name_their_branch():
    ex = InceptionCostExplorer(fake_cost)
    expected = {"in_channels": ("in channels", 192, 512), "size": ("H = W", 28, 64), "c1": ("1x1", 64, 256),
                "r2": ("3x3 reduce", 96, 256), "o2": ("3x3", 128, 384), "r3": ("5x5 reduce", 16, 128),
                "o3": ("5x5", 32, 256), "c4": ("pool proj", 32, 256)}
    assert {k: (c.description, c.value, c.max) for k, c in ex.controls.items()} == expected
    assert all(c.min == 1 and not c.continuous_update and c.layout.width == "300px" for c in ex.controls.values())
    assert ex.widget.children[0].value == "<b>Inception block: widths → channels, parameters, FLOPs</b>"
    for kwargs, message in (({"in_channels": 513}, "in_channels must be an integer in 1..512; got 513"),
                            ({"c1": 257}, "c1 must be an integer in 1..256; got 257"),
                            ({"c2": (257, 1)}, r"c2\[0\] must be an integer in 1..256; got 257"),
                            ({"c2": (1, 385)}, r"c2\[1\] must be an integer in 1..384; got 385"),
                            ({"c3": (129, 1)}, r"c3\[0\] must be an integer in 1..128; got 129"),
                            ({"c3": (1, 257)}, r"c3\[1\] must be an integer in 1..256; got 257"),
                            ({"c3": (1,)}, "^c3 must be"), ({"c4": 257}, "c4 must be an integer in 1..256; got 257")):
        with pytest.raises(ValueError, match=message):
            InceptionCostExplorer(fake_cost, **kwargs)
    with pytest.raises(ValueError, match="^inception_cost must be a function"):
        InceptionCostExplorer("inception_cost")


def test_inception_state_totals_and_what_the_lesson_function_is_asked():
    ex = InceptionCostExplorer(fake_cost)
    fake_cost.calls = []
    s = ex.compute(in_channels=8, size=4, c1=1, r2=1, o2=2, r3=1, o3=3, c4=4)
    assert fake_cost.calls == [True, False]  # with the reductions, then without
    assert s.out_channels == 1 + 2 + 3 + 4
    assert s.total(True, "flops") == 3_000_000 + 12_500_000 + 17_500_000 + 9_000_000
    assert s.total(False, "params") == 110_000
    with pytest.raises(ValueError, match="^what must be one of"):
        s.total(True, "time")
    with pytest.raises(ValueError, match="^size must be an integer"):
        ex.compute(in_channels=8, size=4.5, c1=1, r2=1, o2=2, r3=1, o3=3, c4=4)
    with pytest.raises(ValueError, match=r"; got dict\.$"):
        InceptionCostExplorer(lambda *a, **k: {"1x1": (1, 2)}).compute(**ex.values)


def test_inception_figure_compares_each_branch_with_and_without_reductions():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    ex = InceptionCostExplorer(fake_cost)
    state = ex.compute(**ex.values)
    fig = ex.draw(state)
    params, flops = fig.axes
    assert params.get_position().x1 <= flops.get_position().x0  # side by side
    red, blue = mcolors.to_hex("tab:red"), mcolors.to_hex("tab:blue")
    for ax, unit, heights_without, heights_with, title in (
            (params, "parameters (thousands)", [2, 40, 60, 8], [2, 10, 15, 8], "parameters: 110k → 35k"),
            (flops, "FLOPs (millions)", [3, 50, 70, 9], [3, 12.5, 17.5, 9], "FLOPs: 132M → 42M")):
        bars = [(round(r.get_x() + r.get_width() / 2, 6), round(r.get_width(), 6), round(r.get_height(), 6),
                 mcolors.to_hex(r.get_facecolor())) for r in ax.patches]
        assert bars == ([(round(i - 0.2, 6), 0.4, h, red) for i, h in enumerate(heights_without)]
                        + [(round(i + 0.2, 6), 0.4, h, blue) for i, h in enumerate(heights_with)])
        assert ax.get_title() == title and ax.get_ylabel() == unit
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1x1 branch", "3x3 branch", "5x5 branch", "pool branch"]
        assert all(g.get_visible() and g.get_alpha() == pytest.approx(0.3) for g in ax.yaxis.get_gridlines())
        assert not any(g.get_visible() for g in ax.xaxis.get_gridlines())  # horizontal lines only
    assert [t.get_text() for t in params.get_legend().get_texts()] == ["without 1x1 reductions", "with 1x1 reductions"]
    assert flops.get_legend() is None
    assert fig.get_suptitle() == (f"output channels {state.out_channels}; reductions save {state.param_saving:.1f}× "
                                  f"parameters and {state.flop_saving:.1f}× FLOPs")
    plt.close(fig)
