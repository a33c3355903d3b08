import itertools
import random
import warnings

import pytest
import torch
import torch.nn.functional as F
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


# Random configurations checked against PyTorch itself: where PyTorch returns an output, ours gives its exact size;
# where PyTorch refuses, ours raises ValueError. Half the inputs are tiny (n <= 4) so that the edge cases (windows
# larger than the input, transposed outputs below 1) come up often. The 1-D checks use n x 1 tensors; the 2-D ones
# draw both sides.
N_RANDOM = 3000


@pytest.fixture
def one_thread():
    """Tiny tensors: one intra-op thread (an OpenMP fork per call costs milliseconds on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _draw(rng: random.Random) -> tuple[int, int, int, int, int, bool]:
    n = rng.randint(1, rng.choice((4, 40)))
    return n, rng.randint(1, 9), rng.randint(0, 5), rng.randint(1, 5), rng.randint(1, 3), rng.random() < 0.5


def _pytorch(op: str, x: torch.Tensor, k: tuple, p: tuple | str, s: tuple, d: tuple, ceil: bool = False,
             op_: tuple = (0, 0)) -> tuple[int, ...] | None:
    """The spatial shape PyTorch's `op` returns on `x`, or None where it refuses the configuration."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # padding='same' with an even kernel warns
            if op == "conv2d":
                y = F.conv2d(x, torch.zeros(1, 1, *k), stride=s, padding=p, dilation=d)
            elif op == "conv_transpose2d":
                y = F.conv_transpose2d(x, torch.zeros(1, 1, *k), stride=s, padding=p, output_padding=op_, dilation=d)
            elif op == "max_pool2d":
                y = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil)
            else:
                y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil)
    except (RuntimeError, ValueError):
        return None
    return tuple(y.shape[2:])


def _ours(f, *args, **kwargs) -> tuple[int | tuple[int, int] | None, str]:
    try:
        return f(*args, **kwargs), ""
    except ValueError as err:
        return None, str(err)


@pytest.mark.parametrize("op", ["conv2d", "max_pool2d", "avg_pool2d"])
def test_conv_and_pooling_sizes_match_pytorch_on_random_configurations(op, one_thread):
    rng, tally = random.Random(0), {"sizes": 0, "refused": 0, "ceil_overhang": 0}
    for _ in range(N_RANDOM):
        n, k, p, s, d, ceil = _draw(rng)
        d, ceil = (1 if op == "avg_pool2d" else d), (ceil and op != "conv2d")
        shape = _pytorch(op, torch.zeros(1, 1, n, 1), (k, 1), (p, 0), (s, 1), (d, 1), ceil)
        expected = shape and shape[0]
        ours, message = _ours(conv_output_size, n, k, p, s, d, ceil_mode=ceil, pooling=op != "conv2d")
        assert ours == expected, (op, n, k, p, s, d, ceil, message)
        if expected is None:  # the refusal names the values it refused
            assert f"kernel_size={k}" in message and f"padding={p}" in message, message
        tally["sizes" if expected else "refused"] += 1
        tally["ceil_overhang"] += bool(expected and n + 2 * p < d * (k - 1) + 1)
    assert tally["sizes"] > 500 and tally["refused"] > 200, tally  # both sides of the rules were exercised
    assert op == "conv2d" or tally["ceil_overhang"] > 10, tally  # ceil_mode windows larger than the padded input


@pytest.mark.parametrize("op", ["conv2d", "max_pool2d", "avg_pool2d"])
def test_conv_output_shape_matches_pytorch_on_random_2d_configurations(op, one_thread):
    rng, accepted = random.Random(1), 0
    for _ in range(N_RANDOM // 3):
        (h, kh, ph, sh, dh, ceil), (w, kw, pw, sw, dw, _) = _draw(rng), _draw(rng)
        dh, dw = (1, 1) if op == "avg_pool2d" else (dh, dw)
        ceil = ceil and op != "conv2d"
        padding = rng.choice(["same", "valid", (ph, pw)]) if op == "conv2d" else (ph, pw)
        expected = _pytorch(op, torch.zeros(1, 1, h, w), (kh, kw), padding, (sh, sw), (dh, dw), ceil)
        ours, _ = _ours(conv_output_shape, (h, w), (kh, kw), padding, (sh, sw), (dh, dw), ceil_mode=ceil,
                        pooling=op != "conv2d")
        assert ours == expected, (op, (h, w), (kh, kw), padding, (sh, sw), (dh, dw), ceil)
        accepted += expected is not None
    assert accepted > 100, accepted


def test_transposed_output_size_matches_pytorch_on_random_configurations(one_thread):
    rng, tally = random.Random(2), {"sizes": 0, "too_small": 0, "output_padding": 0}
    for _ in range(N_RANDOM):
        n, k, p, s, d, _ = _draw(rng)
        op = rng.randint(0, max(s, d))  # up to the first value PyTorch refuses
        shape = _pytorch("conv_transpose2d", torch.zeros(1, 1, n, 1), (k, 1), (p, 0), (s, 1), (d, 1), op_=(op, 0))
        expected = shape and shape[0]
        ours, message = _ours(transposed_output_size, n, k, p, s, d, op)
        assert ours == expected, (n, k, p, s, d, op, message)
        if expected is None:
            assert f"output_padding={op}" in message and f"stride={s}" in message and f"dilation={d}" in message
            tally["too_small" if "too small" in message else "output_padding"] += 1
        else:
            tally["sizes"] += 1
    assert tally["sizes"] > 1000 and tally["too_small"] > 50 and tally["output_padding"] > 200, tally


@pytest.mark.parametrize("call,match", [
    (lambda: conv_output_size(3, 5), r"span 5 \(kernel_size=5, dilation=1\).*padded input 3 \(n=3, padding=0\)"),
    (lambda: conv_output_size(8, 4, padding=3, pooling=True), r"kernel_size // 2 = 2.*padding=3 with kernel_size=4"),
    (lambda: conv_output_shape(8, 4, 3, ceil_mode=True), r"padding=3 with kernel_size=4"),
    (lambda: conv_output_size(3, 6, stride=2, ceil_mode=True),
     r"span 6 \(kernel_size=6, dilation=1\).*padded input 3 \(n=3, padding=0\) by 3.*stride - 1 = 1 \(stride=2\)"),
    (lambda: transposed_output_size(1, 1, padding=1), r"too small.*= -1 < 1 for n=1, kernel_size=1, padding=1"),
    (lambda: transposed_output_size(2, 3, 3, stride=1), r"= -2 < 1 for n=2, kernel_size=3, padding=3, stride=1"),
    (lambda: transposed_output_size(4, 3, stride=2, output_padding=2), r"output_padding=2 with stride=2, dilation=1"),
    (lambda: transposed_output_size(4, 3, output_padding=-1), r"output_padding must be an integer >= 0; got -1"),
    (lambda: conv_output_shape(8, 3, "full"), r"'valid' or 'same'; got 'full'"),
    (lambda: conv_output_shape(8, 2, "same", ceil_mode=True), r"pooling takes integer padding, not 'same'"),
    (lambda: conv_output_shape(8, 0, "same"), r"kernel_size must be an integer >= 1; got 0"),
])
def test_refusals_name_the_offending_values(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_edge_cases_of_the_issue():
    # ceil_mode: a window may overhang the padded input by up to stride - 1 and still give one output, as in PyTorch
    assert conv_output_size(2, 4, stride=3, ceil_mode=True) == 1 == F.max_pool2d(torch.zeros(1, 1, 2, 1), (4, 1),
                                                                                  (3, 1), ceil_mode=True).shape[-2]
    assert conv_output_shape(3, 2, stride=2, dilation=3, ceil_mode=True) == (1, 1)
    assert conv_output_size(5, 2, 1, 2, ceil_mode=True) == 3  # a 4th window would start in the right padding
    with pytest.raises(ValueError, match="span 4"):
        conv_output_size(2, 4, stride=3)  # without ceil_mode the same window does not fit
    assert transposed_output_size(1, 3, 1) == 1 and transposed_output_size(1, 3, 1, 2, output_padding=1) == 2


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


def test_layer_table_default_depth_is_three_and_prints_nothing(capsys):
    """Four levels of nesting: by default the third level is one row, holding the work of the fourth."""
    conv = nn.Conv2d(1, 2, 3)
    deep = nn.Sequential(nn.Sequential(nn.Sequential(nn.Sequential(conv))))
    table = layer_table(deep, (1, 1, 5, 5))
    assert table["layer"].tolist() == ["Sequential (0.0.0)"]
    assert table["mult_adds"].tolist() == [2 * 9 * 3 * 3 + 2 * 3 * 3]  # weights and bias, 9 output positions
    assert capsys.readouterr().out == ""


def test_layer_table_adds_a_nested_block_once_to_its_own_row():
    inner = nn.Sequential(nn.Conv2d(2, 2, 3, padding=1))
    block = nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), inner)  # a block inside the block: its conv counts once
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), block, nn.Flatten())
    table = layer_table(model, (1, 1, 4, 4), depth=1)
    per_conv = (2 * 2 * 9 + 2) * 16
    assert table["mult_adds"].tolist() == [(2 * 9 + 2) * 16, 0, 2 * per_conv, 0]


def test_layer_table_keeps_a_cpu_model_on_the_cpu_even_when_a_gpu_is_reported(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert layer_table(nn.Conv2d(1, 2, 3), (1, 1, 5, 5))["params"].tolist() == [2 * 9 + 2]
    assert layer_table(nn.Flatten(), (1, 2, 3))["output"].tolist() == [(1, 6)]  # no parameters at all


def test_the_shape_errors_quote_what_pytorch_said():
    with pytest.raises(ValueError, match=r"\(1, 1, 32, 32\): .*shapes cannot be multiplied"):
        layer_table(classic_net(), (1, 1, 32, 32))
    with pytest.raises(ValueError, match="shapes cannot be multiplied"):
        trace_shapes(classic_net(), (1, 1, 32, 32))


def test_flops_are_counted_on_the_models_own_device_and_sizes_must_be_positive():
    from torch import nn as _nn

    model = _nn.Linear(4, 3, device="meta")  # no memory: the example input must be on the same device
    assert count_flops(model, (2, 4)) == 2 * 2 * 4 * 3
    with pytest.raises(ValueError, match="input_size must be a tuple of positive ints"):
        count_flops(_nn.Linear(4, 3), (0, 4))


@pytest.mark.parametrize("bad", ["size", "kernel_size", "stride", "dilation", "padding"])
def test_conv_output_shape_names_the_argument_that_is_not_a_pair(bad):
    args = {"size": (8, 8), "kernel_size": 3, "padding": 1, "stride": 1, "dilation": 1, bad: (1, 2, 3)}
    with pytest.raises(TypeError, match=rf"^{bad} must be an int or a pair of ints \(h, w\); got \(1, 2, 3\)\.$"):
        conv_output_shape(**args)


@pytest.mark.parametrize("bad", ["size", "kernel_size", "dilation"])
@pytest.mark.parametrize("side", [0, 1])
def test_same_padding_names_the_argument_below_one(bad, side):
    args = {"size": (8, 8), "kernel_size": (3, 3), "dilation": (1, 1)}
    args[bad] = tuple(0 if k == side else 2 for k in range(2))
    with pytest.raises(ValueError, match=rf"^{bad} must be an integer >= 1; got 0\.$"):
        conv_output_shape(padding="same", **args)
    assert conv_output_shape((8, 1), 1, padding="same") == (8, 1)  # a side of 1 is allowed


@pytest.mark.parametrize("fn", [conv_output_size, transposed_output_size])
@pytest.mark.parametrize("bad", ["n", "kernel_size", "padding", "stride", "dilation"])
def test_one_dimension_names_the_bad_argument(fn, bad):
    args = {"n": 5, "kernel_size": 3, "padding": 0, "stride": 1, "dilation": 1, bad: -1}
    with pytest.raises(ValueError, match=rf"^{bad} must be an integer >= {0 if bad == 'padding' else 1}; got -1\.$"):
        fn(**args)


def test_one_dimension_defaults_are_stride_one_and_no_padding():
    assert conv_output_size(5, 3) == 3 and conv_output_size(5, 3, 1) == 5
    assert transposed_output_size(3, 3) == 5 and transposed_output_size(3, 3, 1) == 3
    with pytest.raises(ValueError, match=r"^output_padding must be an integer >= 0; got -1\.$"):
        transposed_output_size(3, 3, output_padding=-1)
    with pytest.raises(ValueError, match=r"^pooling allows padding <= kernel_size // 2 = 1 \(as in PyTorch\); got "
                                         r"padding=2 with kernel_size=3\.$"):
        conv_output_size(5, 3, padding=2, pooling=True)


def test_layer_table_quotes_torchinfos_own_error_when_it_has_no_cause(monkeypatch):
    import torchinfo

    def broken(*args, **kwargs):
        raise RuntimeError("first line\nthe line that says what went wrong")

    monkeypatch.setattr(torchinfo, "summary", broken)
    with pytest.raises(ValueError, match=r"^the model could not run on an input of shape \(1, 1, 8, 8\): the line "
                                         r"that says what went wrong$"):
        layer_table(nn.Conv2d(1, 2, 3), (1, 1, 8, 8))
