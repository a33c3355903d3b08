"""The correlation explorers are views: given PyTorch's own cross-correlation as `corr2d`, they show its numbers;
given a wrong `corr2d`, they show the wrong numbers (they compute nothing of their own)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.widgets import CorrelationStepper, KernelEditor, parse_kernel  # noqa: E402

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def torch_corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The reference: PyTorch's F.conv2d is a cross-correlation."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def test_stepper_walks_every_output_cell():
    ex = CorrelationStepper(X, K, torch_corr2d)
    assert ex.controls["step"].max == 3 and ex.state.value == 19
    assert ex.state.expression == "Y[0,0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" == ex.caption.value
    assert torch.isnan(ex.state.partial).sum() == 3
    state = ex.set(step=3)
    assert (state.i, state.j, state.value) == (1, 1, 43)
    assert state.partial.tolist() == [[19, 25], [37, 43]]
    assert state.products.sum() == state.value
    assert ex.caption.value.endswith("= 43")
    with pytest.raises(ValueError, match=r"step must be an integer in 0..3; got 4"):
        ex.compute(step=4)
    with pytest.raises(KeyError, match="no control named"):
        ex.set(position=1)


def test_stepper_shows_the_lessons_function_even_when_it_is_wrong():
    flipped = CorrelationStepper(X, K, lambda X, K: torch_corr2d(X, K.flip(0, 1)))  # a true convolution
    assert flipped.compute(step=0).value == 0 * 3 + 1 * 2 + 3 * 1 + 4 * 0 == 5
    assert flipped.compute(step=0).products.sum() == 19  # the window's own sum, which the learner can compare
    with pytest.raises(ValueError, match=r"corr2d\(X, K\) should return a tensor of shape \(2, 2\).*got a tensor "
                                         r"of shape \(3, 3\)"):
        CorrelationStepper(X, K, lambda X, K: X).compute(step=0)


def test_stepper_rejects_bad_input():
    with pytest.raises(ValueError, match=r"X must be a 2-D tensor \(H, W\); got a tensor of shape \(1, 3, 3\)"):
        CorrelationStepper(X[None], K, torch_corr2d)
    with pytest.raises(ValueError, match="does not fit"):
        CorrelationStepper(K, X, torch_corr2d)
    with pytest.raises(ValueError, match="corr2d must be a function"):
        CorrelationStepper(X, K, "corr2d")


def test_parse_kernel():
    assert parse_kernel("1 0 -1; 2 0 -2; 1,0,-1").tolist() == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    torch.testing.assert_close(parse_kernel("1/9 1/9\n1/9 1/9"), torch.full((2, 2), 1 / 9))
    with pytest.raises(ValueError, match="equal length"):
        parse_kernel("1 2; 3")
    with pytest.raises(ValueError, match="could not read"):
        parse_kernel("1 x")


def test_kernel_editor_shows_corr2d_of_the_photo():
    img = torch.rand(16, 16)
    ex = KernelEditor(img, torch_corr2d, preset="identity")
    torch.testing.assert_close(ex.state.output, img[1:-1, 1:-1])  # valid correlation: 16 - 3 + 1 = 14
    assert ex.caption.value == "corr2d(photo 16×16, kernel 3×3) → 14×14"
    ex.preset.value = "box blur"
    torch.testing.assert_close(ex.state.kernel, torch.full((3, 3), 1 / 9), atol=1e-4, rtol=0)
    torch.testing.assert_close(ex.state.output, torch_corr2d(img, ex.state.kernel))
    ex.set(kernel="1 2; 3")
    assert ex.state.output is None and "equal length" in ex.state.error and ex.caption.value.startswith("⚠")
    assert "larger than the photo" in ex.compute(kernel="; ".join(["1 " * 17] * 2)).error
    assert len(ex.static_figure(kernel="1 -1").axes) == 3
    with pytest.raises(ValueError, match="preset must be one of"):
        KernelEditor(img, torch_corr2d, preset="blur")


def test_a_bad_fraction_names_the_part_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"could not convert string to float: '2/3'"):
        parse_kernel("1/2/3 0")


def test_kernel_editor_controls_and_layout():
    from helpers.widgets.correlation import KERNEL_PRESETS, kernel_text

    ed = KernelEditor(torch.rand(6, 6), torch_corr2d)
    assert ed.preset.value == "Sobel x (vertical edges)" and ed.preset.description == "preset"
    assert list(ed.preset.options) == list(KERNEL_PRESETS)
    text = ed.controls["kernel"]
    assert text.value == kernel_text(KERNEL_PRESETS["Sobel x (vertical edges)"]) and text.description == "kernel"
    assert not text.continuous_update and text.layout.width == "420px"
    header, preset, row, caption, out = ed.widget.children  # title, the preset menu, then the kernel text
    assert header.value == "<b>Kernel editor: rows separated by ';'</b>" and preset is ed.preset
    assert row.children == (text,) and caption is ed.caption and out is ed.out
    with pytest.raises(ValueError, match="^image must be"):
        KernelEditor(torch.rand(2, 3, 3), torch_corr2d)
    with pytest.raises(ValueError, match="^corr2d must be a function"):
        KernelEditor(torch.rand(6, 6), "corr2d")


def test_kernel_editor_refuses_only_kernels_larger_than_the_photo():
    ed = KernelEditor(torch.rand(5, 7), torch_corr2d)
    assert ed.compute("1 1 1 1 1 1 1; " * 4 + "1 1 1 1 1 1 1").error is None  # 5×7: the whole photo, one output
    assert ed.compute("1 1 1 1 1 1").output.shape == (5, 2)  # 1×6: wider than tall is fine
    assert ed.compute("1; 1; 1; 1; 1; 1").error == "the kernel (6, 1) is larger than the photo (5, 7)."
    assert ed.compute("1 1 1 1 1 1 1 1").error == "the kernel (1, 8) is larger than the photo (5, 7)."


def test_kernel_editor_figure():
    import matplotlib.pyplot as plt
    import numpy as np

    photo = torch.rand(8, 8)
    ed = KernelEditor(photo, torch_corr2d)
    state = ed.compute("-1 0 1; -2 0 2; -1 0 1")
    fig = ed.draw(state)
    photo_ax, kernel_ax, out_ax = fig.axes
    assert photo_ax.get_title() == "input" and photo_ax.images[0].get_cmap().name == "gray"
    np.testing.assert_allclose(photo_ax.images[0].get_array(), photo.numpy())
    assert not photo_ax.axison and kernel_ax.axison and not out_ax.axison  # the kernel keeps its cell grid
    assert kernel_ax.get_title() == "kernel" and kernel_ax.images[0].get_cmap().name == "RdBu_r"
    assert [t.get_text() for t in kernel_ax.texts] == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    m = float(state.output.abs().max())
    np.testing.assert_allclose(out_ax.images[0].get_array(), state.output.numpy())
    assert out_ax.images[0].get_cmap().name == "RdBu_r" and out_ax.images[0].get_clim() == (-m, m)  # 0 is white
    assert out_ax.get_title() == "corr2d output (red +, blue −)"
    plt.close(fig)
    fig = ed.draw(ed.compute("1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9"))  # no negative weight: a plain grey output
    assert [t.get_text() for t in fig.axes[1].texts] == ["0.11"] * 9
    out = fig.axes[2].images[0]
    assert out.get_cmap().name == "gray" and fig.axes[2].get_title() == "corr2d output"
    assert out.get_clim() == pytest.approx((out.get_array().min(), out.get_array().max()))  # its own range
    plt.close(fig)
    fig = ed.draw(ed.compute("0 0 0; 0 1 0; 0 0 0"))  # zeros are not negative
    assert fig.axes[2].images[0].get_cmap().name == "gray"
    plt.close(fig)
    flat = KernelEditor(torch.ones(6, 6), torch_corr2d)
    fig = flat.draw(flat.compute("-1 0 1"))  # an all-zero output: a symmetric range all the same
    assert fig.axes[2].images[0].get_clim() == (-1.0, 1.0)
    plt.close(fig)


def test_kernel_editor_figure_shows_the_error_instead():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    ed = KernelEditor(torch.rand(6, 6), torch_corr2d)
    state = ed.compute("1 2; 3")
    fig = ed.draw(state)
    photo_ax, kernel_ax, out_ax = fig.axes
    assert photo_ax.images and not kernel_ax.axison and not out_ax.axison
    (message,) = out_ax.texts
    assert message.get_text() == state.error and message.get_position() == (0.5, 0.5)
    assert (message.get_ha(), message.get_va(), message.get_wrap()) == ("center", "center", True)
    assert mcolors.to_hex(message.get_color()) == mcolors.to_hex("crimson")
    plt.close(fig)


def test_stepper_controls_and_what_it_refuses():
    X34 = torch.arange(12.0).reshape(3, 4)
    ex = CorrelationStepper(X34, K, torch_corr2d)  # output 2×3: six cells
    step = ex.controls["step"]
    assert (step.value, step.min, step.max, step.description) == (0, 0, 5, "output cell")
    assert step.continuous_update  # cheap to redraw: follows the slider while dragged
    assert ex.widget.children[0].value == "<b>Cross-correlation, one output cell at a time</b>"
    assert CorrelationStepper(X, torch.ones(3, 3), torch_corr2d).out_shape == (1, 1)  # a kernel as large as X fits
    for kernel in (torch.ones(4, 1), torch.ones(1, 4), torch.ones(4, 4)):
        with pytest.raises(ValueError, match="does not fit inside X"):
            CorrelationStepper(X, kernel, torch_corr2d)
    with pytest.raises(ValueError, match="^X must be"):
        CorrelationStepper(torch.zeros(2, 2, 2), K, torch_corr2d)
    with pytest.raises(ValueError, match="^K must be"):
        CorrelationStepper(X, torch.zeros(2, 2, 2), torch_corr2d)
    state = ex.compute(step=4)
    assert state.step == 4 and (state.i, state.j) == (1, 1) and torch.equal(state.patch, X34[1:3, 1:3])


def test_stepper_figure_outlines_the_window_and_the_cell():
    import matplotlib.pyplot as plt

    ex = CorrelationStepper(X, K, torch_corr2d)
    state = ex.compute(step=1)  # window at row 0, column 1
    fig = ex.draw(state)
    x_ax, k_ax, y_ax = fig.axes
    assert (x_ax.get_title(), k_ax.get_title(), y_ax.get_title()) == ("input X", "kernel K", "output Y = corr2d(X, K)")
    assert [(p.get_xy(), p.get_width(), p.get_height()) for p in x_ax.patches] == [((0.5, -0.5), 2, 2)]
    assert not k_ax.patches and [(p.get_xy(), p.get_width(), p.get_height()) for p in y_ax.patches] == [
        ((0.5, -0.5), 1, 1)]
    assert k_ax.images[0].get_cmap().name == "Oranges" and y_ax.images[0].get_cmap().name == "Greens"
    assert fig.get_suptitle() == state.expression
    plt.close(fig)


def test_kernel_editor_colour_range_and_small_weights():
    import matplotlib.pyplot as plt

    dark = KernelEditor(-torch.rand(8, 8), torch_corr2d)  # negative pixels, no negative weight: grey, own range
    fig = dark.draw(dark.compute("1 1; 1 1"))
    out = fig.axes[2].images[0]
    assert out.get_cmap().name == "gray" and out.get_clim() == pytest.approx((out.get_array().min(),
                                                                               out.get_array().max()))
    plt.close(fig)
    fig = dark.draw(dark.compute("0.00001 1"))
    assert [t.get_text() for t in fig.axes[1].texts] == ["1e-05", "1"]  # matplotlib-style exponent, lower case
    plt.close(fig)
