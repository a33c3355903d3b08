"""The channel mixer is a view over the lesson's corr2d_multi_in; here PyTorch's own conv2d stands in for it."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.widgets.channels import CHANNEL_PRESETS, ChannelMixer, preset_kernel  # noqa: E402

torch.manual_seed(0)
IMG = torch.rand(3, 20, 24)


def torch_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Reference: one output channel of F.conv2d, X (c, h, w) with K (c, kh, kw)."""
    return F.conv2d(X[None], K[None])[0, 0]


def test_compute_numbers():
    ex = ChannelMixer(IMG, torch_multi_in)
    state = ex.compute(r="identity", g="negative identity", b="zero (ignore channel)")
    assert state.weight.shape == (1, 3, 3, 3)
    torch.testing.assert_close(state.sum, IMG[0, 1:-1, 1:-1] - IMG[1, 1:-1, 1:-1])
    torch.testing.assert_close(state.conv, F.conv2d(IMG[None], state.weight)[0, 0])
    torch.testing.assert_close(state.maps.sum(0), state.sum)
    assert state.max_diff < 1e-6 and (state.maps[2] == 0).all()
    blur = ex.compute(r="box blur", g="box blur", b="box blur")
    torch.testing.assert_close(blur.sum[4, 4], IMG[:, 4:7, 4:7].sum() / 9)


def test_a_wrong_function_shows_as_a_difference():
    ex = ChannelMixer(IMG, lambda X, K: torch_multi_in(X, K) * 2)  # a learner's bug: each map counted twice
    assert ex.compute(r="identity", g="identity", b="identity").max_diff > 0.5


def test_set_and_describe():
    ex = ChannelMixer(IMG, torch_multi_in, r="identity", g="identity", b="identity")
    torch.testing.assert_close(ex.state.sum, IMG.sum(0)[1:-1, 1:-1])
    state = ex.set(g="Laplacian")
    assert state.names == ("identity", "Laplacian", "identity")
    assert state.weight[0, 1].tolist() == CHANNEL_PRESETS["Laplacian"]
    assert ex.caption.value.startswith("R ⋆ identity, G ⋆ Laplacian, B ⋆ identity · corr2d_multi_in vs "
                                       "F.conv2d(photo, weight (1, 3, 3, 3)): largest difference")
    with pytest.raises(KeyError, match="no control named"):
        ex.set(alpha="identity")
    assert len(ex.static_figure(r="Sobel y (horizontal edges)").axes) == 8


def test_bad_input_is_rejected_clearly():
    with pytest.raises(ValueError, match=r"RGB image \(3, H, W\); got a tensor of shape \(1, 20, 24\)"):
        ChannelMixer(IMG[:1], torch_multi_in)
    with pytest.raises(ValueError, match=r"RGB image \(3, H, W\); got a tensor of shape \(20, 24\)"):
        ChannelMixer(IMG[0], torch_multi_in)
    with pytest.raises(ValueError, match="r must be one of"):
        ChannelMixer(IMG, torch_multi_in, r="blur")
    with pytest.raises(ValueError, match="unknown kernel preset 'blur'"):
        preset_kernel("blur")
    assert preset_kernel("identity")[1, 1] == 1
