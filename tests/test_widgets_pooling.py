"""The pooling and upsampling explorers are views over the lesson's pool2d, trans_conv and resize_conv; here
PyTorch's own operations stand in for them."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.inspect import transposed_output_size  # noqa: E402
from helpers.widgets.pooling import CheckerboardExplorer, PoolingExplorer  # noqa: E402


def torch_pool2d(X, pool_size, mode="max", stride=1, padding=0):
    """Reference pool2d: PyTorch's pooling with the lesson's signature."""
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(X[None, None], pool_size, stride, padding)[0, 0]


def torch_trans_conv(X, K, stride=1, padding=0):
    """Reference trans_conv: PyTorch's transposed convolution on a matrix."""
    return F.conv_transpose2d(X[None, None], K[None, None], stride=stride, padding=padding)[0, 0]


def torch_resize_conv(x, K, scale=2):
    """Reference resize_conv: nearest upsampling, then a convolution keeping the size (odd K)."""
    return F.conv2d(F.interpolate(x, scale_factor=scale, mode="nearest"), K, padding=K.shape[-1] // 2)


def test_pooling_explorer_shows_pool2d_and_checks_it_against_pytorch():
    img = torch.rand(1, 28, 28)
    ex = PoolingExplorer(img, torch_pool2d)
    assert ex.state.shape == ex.state.expected_shape == (14, 14) and ex.state.matches_torch
    assert ex.state.windows == ((0, 0, 2, 2), (0, 2, 2, 2), (2, 0, 2, 2))
    assert ex.describe(ex.state) == ("pool2d, max: 28×28 → 14×14; conv_output_shape says (14, 14); "
                                     "equals F.max_pool2d")
    state = ex.set(window=3, stride=2, padding=1, mode="avg")
    assert state.shape == (14, 14) and state.matches_torch and state.overlap and not state.gaps
    assert state.windows[0] == (-1, -1, 3, 3)
    state = ex.set(padding=2)  # PyTorch refuses padding > window // 2: the explorer shows its refusal
    assert state.output is None and "pad should be at most half of effective kernel size" in state.error
    assert ex.describe(state).startswith("⚠ PyTorch refuses")
    fig = ex.static_figure(window=3, padding=1, stride=4)
    assert len(fig.axes) == 2 and fig._suptitle.get_text().startswith("window 3, stride 4, padding 1")
    assert ex.compute(window=2, stride=3, padding=0, mode="max").gaps
    with pytest.raises(KeyError, match="no control named"):
        ex.set(size=3)
    assert ex.compute(window=4, stride=2, padding=3, mode="max").error is not None  # PyTorch: p <= k // 2


def test_pooling_explorer_flags_a_wrong_pool2d():
    def always_avg(X, k, mode="max", stride=1, padding=0):  # a learner's bug: the mode is ignored
        return torch_pool2d(X, k, "avg", stride, padding)

    ex = PoolingExplorer(torch.rand(12, 12), always_avg)
    assert not ex.compute(window=2, stride=2, padding=0, mode="max").matches_torch
    assert "differs from F.max_pool2d" in ex.describe(ex.state)
    with pytest.raises(ValueError, match=r"should return a 2-D tensor; got a tensor of shape \(1, 1, 6, 6\)"):
        PoolingExplorer(torch.rand(12, 12), lambda X, *a: F.max_pool2d(X[None, None], 2)).compute(
            window=2, stride=2, padding=0, mode="max")


def test_pooling_explorer_rejects_bad_input():
    with pytest.raises(ValueError, match=r"grey image of shape \(H, W\).*got a tensor of shape \(3, 28, 28\)"):
        PoolingExplorer(torch.rand(3, 28, 28), torch_pool2d)
    with pytest.raises(ValueError, match="mode must be one of"):
        PoolingExplorer(torch.rand(8, 8), torch_pool2d, mode="min")
    with pytest.raises(ValueError, match="pool2d must be a function"):
        PoolingExplorer(torch.rand(8, 8), None)


def test_checkerboard_explorer():
    ex = CheckerboardExplorer(torch.rand(28, 28), torch_trans_conv, torch_resize_conv)
    assert ex.state.uneven and (ex.state.min, ex.state.max) == (1, 4)
    assert ex.state.size == (transposed_output_size(28, 3, stride=2),) * 2 == (57, 57)
    assert ex.describe(ex.state) == "transposed conv: output 57×57, uneven overlap (1 to 4 copies)"
    assert ex.state.counts[2:6, 2:6].tolist() == [[4, 2, 4, 2], [2, 1, 2, 1], [4, 2, 4, 2], [2, 1, 2, 1]]
    state = ex.set(kernel=4)
    assert not state.uneven and state.max == 4
    state = ex.set(kernel=3, method="resize + conv")
    assert not state.uneven and state.max == 9 and state.size == (56, 56)
    assert ex.compute(kernel=1, stride=2, method="transposed conv").min == 0  # kernel < stride: holes
    fig = ex.static_figure(kernel=2)
    assert len(fig.axes) == 3 and fig._suptitle.get_text() == "kernel 2, stride 2"  # drawn from the values passed
    with pytest.raises(ValueError, match=r"too small: expected at least 12×12.*got \(3, 3\)"):
        CheckerboardExplorer(torch.rand(3, 3), torch_trans_conv, torch_resize_conv)
    with pytest.raises(ValueError, match="too small for kernel 40"):
        ex.compute(kernel=40, stride=1, method="transposed conv")


def test_checkerboard_explorer_over_kernels_and_strides():
    """The claims of the pooling notebook's explorer: holes when the kernel is smaller than the stride, and
    resize + conv even for every kernel size."""
    ex = CheckerboardExplorer(torch.rand(28, 28), torch_trans_conv, torch_resize_conv)
    assert ex.compute(kernel=3, stride=2, method="transposed conv").uneven
    assert not ex.compute(kernel=4, stride=2, method="transposed conv").uneven
    assert ex.compute(kernel=2, stride=3, method="transposed conv").min == 0  # holes
    assert not any(ex.compute(kernel=k, stride=2, method="resize + conv").uneven for k in range(1, 7))


def test_kernel_equal_to_stride_upsamples_each_pixel_into_a_block():
    img = torch.rand(14, 14)
    ex = CheckerboardExplorer(img, torch_trans_conv, torch_resize_conv)
    nearest = F.interpolate(img[None, None], scale_factor=2, mode="nearest")[0, 0]
    torch.testing.assert_close(ex.compute(kernel=2, stride=2, method="transposed conv").output, nearest)


def test_windows_overlap_only_when_the_stride_is_smaller_than_the_window():
    ex = PoolingExplorer(torch.rand(12, 12), torch_pool2d)
    tile = ex.compute(window=3, stride=3, padding=0, mode="max")
    assert not tile.overlap and not tile.gaps  # stride == window: the windows tile the input
    assert ex.compute(window=3, stride=2, padding=0, mode="max").overlap
    assert ex.compute(window=3, stride=4, padding=0, mode="max").gaps
