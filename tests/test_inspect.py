import itertools

import pytest
import torch
from torch import nn

from helpers.inspect import (
    conv_output_shape,
    conv_output_size,
    count_flops,
    count_params,
    layer_table,
    trace_shapes,
    transposed_output_size,
)

CONV_CASES = [(n, k, p, s, d) for n, k, p, s, d in itertools.product([5, 8, 13, 28], [1, 2, 3, 5], [0, 1, 2],
                                                                    [1, 2, 3], [1, 2]) if n + 2 * p >= d * (k - 1) + 1]


@pytest.mark.parametrize("n,k,p,s,d", CONV_CASES)
def test_conv_output_size_matches_pytorch(n, k, p, s, d):
    y = nn.functional.conv2d(torch.zeros(1, 1, n, n + 1), torch.zeros(1, 1, k, k), padding=p, stride=s, dilation=d)
    assert tuple(y.shape[-2:]) == conv_output_shape((n, n + 1), k, p, s, d)


@pytest.mark.parametrize("n,k,p,s,ceil", [c for c in itertools.product([4, 5, 7, 28], [2, 3], [0, 1], [1, 2, 3],
                                                                      [False, True]) if c[2] <= c[1] // 2])
def test_pooling_sizes_with_ceil_mode(n, k, p, s, ceil):
    y = nn.functional.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=ceil)
    assert tuple(y.shape[-2:]) == conv_output_shape(n, k, p, s, ceil_mode=ceil)


def test_tuples_same_and_valid():
    assert conv_output_shape((28, 20), (3, 5), (1, 2), (2, 1)) == (14, 20)
    assert conv_output_shape(28, 5, "same") == (28, 28) and conv_output_shape(28, 5, "valid") == (24, 24)
    assert conv_output_size(28, 3, 1, 2) == 14


@pytest.mark.parametrize("bad,match", [
    (dict(n=3, kernel_size=5), r"span 5.*padded input 3"),
    (dict(n=8, kernel_size=3, stride=0), r"stride must be an integer >= 1; got 0"),
    (dict(n=8, kernel_size=3, padding=-1), r"padding must be an integer >= 0"),
    (dict(n=8.0, kernel_size=3), r"n must be an integer"),
])
def test_bad_sizes_are_explained(bad, match):
    with pytest.raises(ValueError, match=match):
        conv_output_size(**bad)
    with pytest.raises(TypeError, match=r"kernel_size must be an int or a pair"):
        conv_output_shape(8, (3, 3, 3))
    with pytest.raises(ValueError, match="stride 1"):
        conv_output_shape(8, 3, "same", 2)


@pytest.mark.parametrize("n,k,p,s,op", [(3, 2, 0, 2, 0), (4, 3, 1, 2, 1), (5, 4, 1, 2, 0), (2, 3, 0, 1, 0)])
def test_transposed_output_size(n, k, p, s, op):
    m = nn.ConvTranspose2d(1, 1, k, s, p, output_padding=op)
    assert m(torch.zeros(1, 1, n, n)).shape[-1] == transposed_output_size(n, k, p, s, output_padding=op)


def classic_net():
    return nn.Sequential(nn.Conv2d(1, 10, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(10, 20, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(320, 10))


def test_layer_table_reads_off_320():
    table = layer_table(classic_net(), (1, 1, 28, 28))
    assert list(table.columns) == ["layer", "input", "output", "params", "mult_adds"]
    assert table.iloc[6]["output"] == (1, 320) and table.iloc[7]["input"] == (1, 320)
    assert table["params"].sum() == count_params(classic_net()) == 260 + 5020 + 3210


def block_net():
    block = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), block, nn.Flatten(), nn.Linear(4 * 8 * 8, 10))


def test_layer_table_depth_shows_a_block_as_one_row_or_its_layers():
    model = block_net()
    outer, inner = layer_table(model, (1, 1, 8, 8), depth=1), layer_table(model, (1, 1, 8, 8), depth=2)
    assert outer["layer"].tolist() == ["Conv2d (0)", "Sequential (1)", "Flatten (2)", "Linear (3)"]
    assert inner["layer"].tolist() == ["Conv2d (0)", "Conv2d (1.0)", "ReLU (1.1)", "Conv2d (1.2)", "Flatten (2)",
                                       "Linear (3)"]
    block_row = outer.iloc[1]
    assert block_row["params"] == 2 * (4 * 4 * 9 + 4) and block_row["output"] == (1, 4, 8, 8)
    assert block_row["mult_adds"] == 2 * (4 * 4 * 9 + 4) * 8 * 8  # both inner convs (torchinfo counts the bias)
    for table in (outer, inner):
        assert table["params"].sum() == count_params(model)
        assert table["mult_adds"].sum() == outer["mult_adds"].sum() == inner["mult_adds"].sum()


def test_layer_table_of_a_single_layer_and_a_bad_depth():
    single = layer_table(nn.Conv2d(1, 2, 3), (1, 1, 5, 5))
    assert single["layer"].tolist() == ["Conv2d"] and single["output"].tolist() == [(1, 2, 3, 3)]
    with pytest.raises(ValueError, match="depth"):
        layer_table(block_net(), (1, 1, 8, 8), depth=0)


def test_layer_table_names_the_shape_that_failed():
    with pytest.raises(ValueError, match=r"\(1, 1, 32, 32\)"):
        layer_table(classic_net(), (1, 1, 32, 32))
    with pytest.raises(ValueError, match="positive ints"):
        layer_table(classic_net(), (1, 28, 28.0))


def test_count_flops_is_two_per_multiply_add():
    conv = nn.Conv2d(192, 32, 5, padding=2)
    assert count_flops(conv, (1, 192, 28, 28)) == 2 * 28 * 28 * 32 * 192 * 25


def test_count_params_trainable():
    m = classic_net()
    m[0].weight.requires_grad_(False)
    assert count_params(m) - count_params(m, trainable_only=True) == 250


def test_trace_shapes():
    shapes = trace_shapes(classic_net(), (2, 1, 28, 28))
    assert shapes[2] == ("2", (2, 10, 12, 12)) and shapes[-1] == ("7", (2, 10))
    with pytest.raises(ValueError, match=r"7 \(Linear\) failed on an input of shape \(2, 500\)"):
        trace_shapes(classic_net(), (2, 1, 32, 32))
