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
