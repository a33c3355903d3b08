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


def test_pooling_controls_and_bad_values_named():
    ex = PoolingExplorer(torch.rand(12, 12), torch_pool2d, window=3, stride=1, mode="avg")
    window, stride, padding, mode = (ex.controls[k] for k in ("window", "stride", "padding", "mode"))
    assert (window.description, window.value, window.min, window.max) == ("window", 3, 1, 8)
    assert (stride.description, stride.value, stride.min, stride.max) == ("stride", 1, 1, 8)
    assert (padding.description, padding.value, padding.min, padding.max) == ("padding", 0, 0, 4)
    assert (mode.description, list(mode.options), mode.value) == ("mode", ["max", "avg"], "avg")
    assert ex.widget.children[0].value == "<b>Pooling: the first windows (outlined) and the output they make</b>"
    for kwargs, message in (({"window": 2.5}, "window must be an integer"), ({"stride": "2"}, "stride must be an"),
                            ({"padding": -1}, "padding must be an integer >= 0"), ({"mode": "min"}, "mode must be")):
        with pytest.raises(ValueError, match=message):
            ex.compute(**{"window": 2, "stride": 2, "padding": 0, "mode": "max", **kwargs})
    with pytest.raises(ValueError, match=r"^image must be a grey image"):
        PoolingExplorer(torch.rand(2, 3, 4), torch_pool2d)


def test_pooling_state_outlines_only_windows_that_exist():
    def windows(h, w, k):
        return PoolingExplorer(torch.rand(h, w), torch_pool2d).compute(window=k, stride=k, padding=0,
                                                                        mode="max").windows

    assert windows(4, 12, 4) == ((0, 0, 4, 4), (0, 4, 4, 4))  # one row of outputs: no window below
    assert windows(12, 4, 4) == ((0, 0, 4, 4), (4, 0, 4, 4))  # one column: no window to the right
    assert windows(8, 8, 4) == ((0, 0, 4, 4), (0, 4, 4, 4), (4, 0, 4, 4))
    assert windows(4, 4, 4) == ((0, 0, 4, 4),)
    state = PoolingExplorer(torch.rand(8, 8), torch_pool2d).compute(window=2, stride=2, padding=0, mode="max")
    assert not state.overlap and not state.gaps  # the windows tile
    assert state.reference is not None and torch.equal(state.reference, state.output)  # PyTorch's own answer


def test_pooling_state_when_pytorch_refuses():
    ex = PoolingExplorer(torch.rand(12, 12), torch_pool2d)
    state = ex.compute(window=2, stride=3, padding=2, mode="avg")
    assert (state.window, state.stride, state.padding, state.mode) == (2, 3, 2, "avg")
    assert state.matches_torch is False and state.windows == () and state.shape is None
    assert state.overlap is False and state.gaps is True
    state = ex.compute(window=3, stride=2, padding=2, mode="max")
    assert state.overlap is True and state.gaps is False
    assert ex.compute(window=2, stride=2, padding=2, mode="max").overlap is False  # stride == window: no overlap


def test_pooling_tolerates_float_rounding_but_not_a_wrong_value():
    ex = PoolingExplorer(torch.rand(8, 8), lambda X, k, mode, s, p: torch_pool2d(X, k, mode, s, p) + 1e-6)
    assert ex.compute(window=2, stride=2, padding=0, mode="avg").matches_torch
    ex = PoolingExplorer(torch.rand(8, 8), lambda X, k, mode, s, p: torch_pool2d(X, k, mode, s, p) + 1e-3)
    assert not ex.compute(window=2, stride=2, padding=0, mode="avg").matches_torch


def test_pooling_figure_lines_up_input_windows_and_output():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    import numpy as np

    img = torch.rand(10, 14)  # not square: rows and columns cannot be swapped unnoticed
    ex = PoolingExplorer(img, torch_pool2d)
    state = ex.compute(window=3, stride=2, padding=1, mode="max")
    fig = ex.draw(state)
    left, right = fig.axes
    assert fig.get_suptitle() == "window 3, stride 2, padding 1: windows overlap"
    assert left.get_title() == "input 10×14 + padding 1 (blue)"
    assert right.get_title() == "pool2d, max: 5×7\nconv_output_shape (5, 7), = F.max_pool2d ✓"
    shown = left.images[0]
    a = np.ma.getdata(shown.get_array())
    assert a.shape == (12, 16) and np.isnan(a[0]).all() and np.isnan(a[:, -1]).all()  # the padding ring: blank
    np.testing.assert_allclose(a[1:-1, 1:-1], img.numpy())
    assert list(shown.get_extent()) == [-1.5, 14.5, 10.5, -1.5]  # pixel (r, c) of the input sits at (c, r)
    assert shown.get_cmap().name.startswith("gray")
    assert shown.get_cmap().get_bad() == pytest.approx(mcolors.to_rgba("lightsteelblue"))
    outlines = [(p.get_xy(), p.get_width(), p.get_height(), mcolors.to_hex(p.get_edgecolor()), p.get_fill())
                for p in left.patches]
    assert outlines == [((-1.5, -1.5), 3, 3, mcolors.to_hex("crimson"), False),
                        ((0.5, -1.5), 3, 3, mcolors.to_hex("darkorange"), False),
                        ((-1.5, 0.5), 3, 3, mcolors.to_hex("gold"), False)]
    out = right.images[0]
    np.testing.assert_allclose(np.ma.getdata(out.get_array()), state.output.numpy())
    assert list(out.get_extent()) == [-0.5, 6.5, 4.5, -0.5] and out.get_cmap().name == "gray"
    assert right.get_xlim() == (-0.5, 15.5) and right.get_ylim() == (11.5, -0.5)  # the input panel's pixel scale
    assert mcolors.to_hex(right.get_facecolor()) == mcolors.to_hex("whitesmoke")
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in (left, right))
    for ax in (left, right):  # below the suptitle, inside the figure
        box = ax.get_position()
        assert 0 <= box.x0 and box.x1 <= 1 and box.y1 <= 0.94
    plt.close(fig)
    fig = ex.draw(ex.compute(window=2, stride=3, padding=0, mode="avg"))
    assert fig.get_suptitle() == "window 2, stride 3, padding 0: pixels skipped"
    assert fig.axes[0].get_title() == "input 10×14" and len(fig.axes[0].patches) == 3
    assert fig.get_axes()[0].get_position().x1 <= fig.get_axes()[1].get_position().x0  # side by side
    plt.close(fig)
    fig = ex.draw(ex.compute(window=2, stride=2, padding=0, mode="max"))
    assert fig.get_suptitle() == "window 2, stride 2, padding 0: windows tile"
    plt.close(fig)
    wrong = PoolingExplorer(img, lambda X, k, mode, s, p: torch_pool2d(X, k, mode, s, p) + 1)
    fig = wrong.draw(wrong.compute(window=2, stride=2, padding=0, mode="max"))
    assert fig.axes[1].get_title().endswith("= F.max_pool2d ✗")
    plt.close(fig)


def test_pooling_figure_when_pytorch_refuses():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    import numpy as np

    img = torch.rand(10, 14)
    ex = PoolingExplorer(img, torch_pool2d)
    state = ex.compute(window=2, stride=2, padding=2, mode="max")
    fig = ex.draw(state)
    (ax,) = fig.axes
    assert ax.get_title() == f"PyTorch refuses: {state.error}" and not ax.axison
    assert mcolors.to_hex(ax.title.get_color()) == mcolors.to_hex("crimson")
    np.testing.assert_allclose(np.ma.getdata(ax.images[0].get_array()), img.numpy())
    assert ax.images[0].get_cmap().name == "gray"
    plt.close(fig)


def test_checkerboard_controls_and_messages():
    ex = CheckerboardExplorer(torch.rand(16, 16), torch_trans_conv, torch_resize_conv, kernel=4, stride=3)
    kernel, stride, method = ex.controls["kernel"], ex.controls["stride"], ex.controls["method"]
    assert (kernel.description, kernel.value, kernel.min, kernel.max) == ("kernel", 4, 1, 6)
    assert (stride.description, stride.value, stride.min, stride.max) == ("stride", 3, 1, 4)
    assert (method.description, list(method.options), method.value) == (
        "method", ["transposed conv", "resize + conv"], "transposed conv")
    assert ex.widget.children[0].value == "<b>Upsampling: uneven overlap makes a checkerboard</b>"
    default = CheckerboardExplorer(torch.rand(16, 16), torch_trans_conv, torch_resize_conv)
    assert (default.controls["kernel"].value, default.controls["stride"].value) == (3, 2)
    assert CheckerboardExplorer(torch.rand(12, 12), torch_trans_conv, torch_resize_conv).image.shape == (12, 12)
    with pytest.raises(ValueError, match=r"^the image is too small: expected at least 12×12 .*got \(11, 20\)\.$"):
        CheckerboardExplorer(torch.rand(11, 20), torch_trans_conv, torch_resize_conv)
    with pytest.raises(ValueError, match="^image must be a grey image"):
        CheckerboardExplorer(torch.rand(2, 16, 16), torch_trans_conv, torch_resize_conv)
    with pytest.raises(ValueError, match="^trans_conv must be a function"):
        CheckerboardExplorer(torch.rand(16, 16), None, torch_resize_conv)
    with pytest.raises(ValueError, match="^resize_conv must be a function"):
        CheckerboardExplorer(torch.rand(16, 16), torch_trans_conv, None)
    for kwargs, message in (({"kernel": 7}, "kernel must be an integer in 1..6"),
                            ({"stride": 5}, "stride must be an integer in 1..4")):
        with pytest.raises(ValueError, match=message):
            CheckerboardExplorer(torch.rand(16, 16), torch_trans_conv, torch_resize_conv, **kwargs)


def test_checkerboard_figure_shows_the_counts_and_the_picture():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    import numpy as np

    img = torch.rand(14, 16)
    ex = CheckerboardExplorer(img, torch_trans_conv, torch_resize_conv)
    state = ex.compute(kernel=3, stride=2, method="transposed conv")
    fig = ex.draw(state)
    image_ax, counts_ax, out_ax = fig.axes
    assert fig.get_suptitle() == "kernel 3, stride 2" and not any(ax.axison for ax in fig.axes)
    assert image_ax.get_position().x1 <= counts_ax.get_position().x0 <= out_ax.get_position().x0  # in a row
    assert image_ax.get_title() == "input 14×16" and image_ax.images[0].get_cmap().name == "gray"
    np.testing.assert_allclose(image_ax.images[0].get_array(), img.numpy())
    shown = state.counts[:12, :12].numpy()
    counts = counts_ax.images[0]
    np.testing.assert_allclose(counts.get_array(), shown)
    assert counts.get_cmap().name == "viridis" and counts.get_clim() == (0, shown.max())  # 0 copies: darkest
    assert counts_ax.get_title() == f"overlap counts (top-left 12×12)\ninterior uneven: {state.min} to {state.max}"
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in counts_ax.texts}
    assert len(texts) == 144
    for (i, j), t in texts.items():
        assert t.get_text() == f"{shown[i, j]:g}" and (t.get_ha(), t.get_va()) == ("center", "center")
        dark = shown[i, j] < shown.max() / 2
        assert mcolors.to_hex(t.get_color()) == ("#ffffff" if dark else "#000000")  # readable on its cell
    assert out_ax.get_title() == f"transposed conv → {state.size[0]}×{state.size[1]}"
    assert out_ax.images[0].get_cmap().name == "gray"
    np.testing.assert_allclose(out_ax.images[0].get_array(), state.output.numpy())
    for ax in fig.axes:
        box = ax.get_position()
        assert 0 <= box.x0 and box.x1 <= 1 and box.y1 <= 0.94  # below the suptitle
    plt.close(fig)
    even = ex.compute(kernel=4, stride=2, method="transposed conv")
    fig = ex.draw(even)
    assert fig.axes[1].get_title().endswith(f"interior even: {even.max} everywhere")
    plt.close(fig)


def test_pooling_starting_values_are_checked_against_the_sliders():
    for kwargs, message in (({"window": 9}, r"^window must be an integer in 1..8; got 9"),
                            ({"window": 0}, r"^window must be an integer in 1..8; got 0"),
                            ({"stride": 9}, r"^stride must be an integer in 1..8; got 9")):
        with pytest.raises(ValueError, match=message):
            PoolingExplorer(torch.rand(8, 8), torch_pool2d, **kwargs)
    ex = PoolingExplorer(torch.rand(8, 8), torch_pool2d, window=1, stride=1)  # 1 is a valid window
    assert ex.controls["window"].value == 1
    refused = ex.compute(window=2, stride=2, padding=2, mode="max")
    assert refused.error and refused.gaps is False  # stride == window: no gaps either


def test_pooling_tolerance_is_absolute_for_small_values():
    img = torch.rand(8, 8) * 1e-3  # dim pixels: a relative tolerance alone would reject rounding noise
    ex = PoolingExplorer(img, lambda X, k, mode, s, p: torch_pool2d(X, k, mode, s, p) + 1e-6)
    assert ex.compute(window=2, stride=2, padding=0, mode="avg").matches_torch


def test_pooling_figure_edge_cases():
    import matplotlib.pyplot as plt

    ex = PoolingExplorer(torch.rand(4, 20), torch_pool2d)
    fig = ex.draw(ex.compute(window=1, stride=1, padding=0, mode="max"))  # output as wide as the input: 4×20
    assert fig.axes[1].get_ylim() == (3.5, -0.5) and fig.axes[1].get_xlim() == (-0.5, 19.5)
    plt.close(fig)
    one = PoolingExplorer(torch.rand(4, 4), torch_pool2d)
    fig = one.draw(one.compute(window=4, stride=4, padding=0, mode="max"))  # a single window, a single output
    assert len(fig.axes[0].patches) == 1
    plt.close(fig)
    fig = one.draw(one.compute(window=2, stride=2, padding=2, mode="max"))  # PyTorch's refusal, wrapped
    assert fig.axes[0].title.get_wrap() is True
    plt.close(fig)


def test_checkerboard_count_labels_switch_colour_at_half_the_largest_count():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    ex = CheckerboardExplorer(torch.rand(16, 16), torch_trans_conv, torch_resize_conv)
    state = ex.compute(kernel=3, stride=1, method="transposed conv")  # counts 1..9 near the corner
    fig = ex.draw(state)
    shown = state.counts[:12, :12]
    colours = {float(shown[round(t.get_position()[1]), round(t.get_position()[0])]): mcolors.to_hex(t.get_color())
               for t in fig.axes[1].texts}
    assert colours[4.0] == "#ffffff" and colours[6.0] == "#000000"  # 4 < 9 / 2 <= 6
    plt.close(fig)


def test_checkerboard_compute_names_bad_values_and_scales_the_kernel_to_an_average():
    image = torch.rand(28, 28)
    ex = CheckerboardExplorer(image, torch_trans_conv, torch_resize_conv)
    assert ex.values == {"kernel": 3, "stride": 2, "method": "transposed conv"}
    for args, name in (({"kernel": 0}, "kernel"), ({"stride": 1.5}, "stride"), ({"method": "bilinear"}, "method")):
        with pytest.raises(ValueError, match=f"^{name} must be"):
            ex.compute(**{"kernel": 3, "stride": 2, "method": "transposed conv", **args})
    trans = ex.compute(kernel=4, stride=2, method="transposed conv")  # (s/k)^2 = 1/4 per copy: an average
    torch.testing.assert_close(trans.output, torch_trans_conv(image, torch.full((4, 4), 0.25), 2))
    resize = ex.compute(kernel=3, stride=3, method="resize + conv")  # 1/k^2 per value: an average
    torch.testing.assert_close(resize.output, torch_resize_conv(image[None, None], torch.full((1, 1, 3, 3), 1 / 9),
                                                                3)[0, 0])
    assert resize.size == (84, 84)  # resize by the stride, not by 2
    assert ex.describe(ex.compute(kernel=3, stride=2, method="transposed conv")).startswith(
        "transposed conv: output 57×57, uneven overlap (1 to 4 copies)")
    assert ex.describe(ex.compute(kernel=4, stride=2, method="transposed conv")) == (
        "transposed conv: output 58×58, even overlap")
    wide = CheckerboardExplorer(torch.rand(28, 30), torch_trans_conv, torch_resize_conv)
    assert wide.describe(wide.compute(kernel=4, stride=2, method="transposed conv")).startswith(
        "transposed conv: output 58×62,")  # height × width
