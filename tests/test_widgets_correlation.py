import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.widgets import CorrelationStepper, KernelEditor, apply_kernel, parse_kernel  # noqa: E402

X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def test_stepper_walks_every_output_cell():
    ex = CorrelationStepper(X, K)
    assert ex.controls["step"].max == 3 and ex.state["value"] == 19
    assert ex.state["expression"] == "Y[0,0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" == ex.caption.value
    assert torch.isnan(ex.state["partial"]).sum() == 3
    state = ex.set(step=3)
    assert (state["i"], state["j"], state["value"]) == (1, 1, 43)
    assert state["partial"].tolist() == [[19, 25], [37, 43]]
    assert ex.caption.value.endswith("= 43")
    with pytest.raises(ValueError, match="0..3"):
        ex.compute(step=4)
    with pytest.raises(KeyError, match="no control named"):
        ex.set(position=1)


def test_stepper_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"X must be a 2-D tensor \(H, W\); got \(1, 3, 3\)"):
        CorrelationStepper(X[None], K)
    with pytest.raises(ValueError, match="does not fit"):
        CorrelationStepper(K, X)


def test_parse_kernel():
    assert parse_kernel("1 0 -1; 2 0 -2; 1,0,-1").tolist() == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    torch.testing.assert_close(parse_kernel("1/9 1/9\n1/9 1/9"), torch.full((2, 2), 1 / 9))
    with pytest.raises(ValueError, match="equal length"):
        parse_kernel("1 2; 3")
    with pytest.raises(ValueError, match="could not read"):
        parse_kernel("1 x")


def test_apply_kernel_is_same_size_cross_correlation():
    img = torch.rand(20, 30)
    k = torch.randn(3, 5)
    torch.testing.assert_close(apply_kernel(img, k), F.conv2d(img[None, None], k[None, None], padding=(1, 2))[0, 0])


def test_kernel_editor_presets_and_errors():
    img = torch.rand(16, 16)
    ex = KernelEditor(img, preset="identity")
    torch.testing.assert_close(ex.state["output"], img)
    ex.preset.value = "box blur"
    torch.testing.assert_close(ex.state["kernel"], torch.full((3, 3), 1 / 9), atol=1e-4, rtol=0)
    ex.set(kernel="1 2; 3")
    assert ex.state["output"] is None and "equal length" in ex.state["error"]
    assert len(ex.static_figure(kernel="1 -1").axes) == 3
