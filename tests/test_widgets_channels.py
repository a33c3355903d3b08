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


def test_mixer_controls():
    ex = ChannelMixer(IMG, torch_multi_in, g="box blur")
    assert [(c.description, c.value, c.layout.width) for c in ex.controls.values()] == [
        ("R kernel", "Sobel x (vertical edges)", "300px"), ("G kernel", "box blur", "300px"),
        ("B kernel", "zero (ignore channel)", "300px")]
    assert all(list(c.options) == list(CHANNEL_PRESETS) for c in ex.controls.values())
    assert ex.widget.children[0].value == "<b>Channel mixer: one kernel per input channel, then add</b>"
    with pytest.raises(ValueError, match=r"^ChannelMixer needs an RGB image \(3, H, W\); got a tensor of shape"):
        ChannelMixer(IMG[:2], torch_multi_in)
    with pytest.raises(ValueError, match="^corr2d_multi_in must be a function"):
        ChannelMixer(IMG, "corr2d_multi_in")
    with pytest.raises(ValueError, match="^g must be one of"):
        ChannelMixer(IMG, torch_multi_in, g="blur")


def test_mixer_figure_rows_inputs_above_their_maps():
    import matplotlib.pyplot as plt
    import numpy as np

    ex = ChannelMixer(IMG, torch_multi_in, r="Sobel x (vertical edges)", g="box blur", b="zero (ignore channel)")
    state = ex.compute(r="Sobel x (vertical edges)", g="box blur", b="zero (ignore channel)")
    fig = ex.draw(state)
    axes = np.array(fig.axes).reshape(2, 4)
    assert not any(ax.axison for ax in fig.axes) and fig.get_layout_engine() is not None
    assert fig.get_suptitle() == ("one output channel = R map + G map + B map   (bottom row: red +, blue −; "
                                  "each panel on its own scale)")
    assert [ax.get_title() for ax in axes[0]] == ["photo (3 channels)", "input channel R", "input channel G",
                                                  "input channel B"]
    assert [ax.get_title() for ax in axes[1]] == ["sum = one output channel", "R ⋆ Sobel x", "G ⋆ box blur",
                                                  "B ⋆ zero"]
    assert [ax.title.get_fontweight() for ax in axes[1]] == ["bold", "normal", "normal", "normal"]
    photo = IMG.permute(1, 2, 0).clamp(0, 1).numpy()
    np.testing.assert_allclose(axes[0, 0].images[0].get_array(), photo)
    for c in range(3):  # channel c alone, the others black
        only = np.zeros_like(photo)
        only[..., c] = photo[..., c]
        np.testing.assert_allclose(axes[0, c + 1].images[0].get_array(), only)
    for ax, a in zip(axes[1], [state.sum, *state.maps], strict=True):  # red +, blue −, 0 white, own scale
        m = float(a.abs().max()) or 1.0
        assert ax.images[0].get_cmap().name == "RdBu_r" and ax.images[0].get_clim() == pytest.approx((-m, m))
        np.testing.assert_allclose(ax.images[0].get_array(), a.numpy())
    assert axes[1, 3].images[0].get_clim() == (-1.0, 1.0)  # the zero kernel's all-zero map
    plt.close(fig)


def test_mixer_shows_an_overexposed_photo_clipped_to_the_displayable_range(caplog):
    import logging

    import matplotlib.pyplot as plt
    import numpy as np

    bright = IMG * 3 - 1  # values from -1 to 2, as after a normalisation
    ex = ChannelMixer(bright, torch_multi_in)
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        fig = ex.draw(ex.state)
    assert not [r for r in caplog.records if "Clipping input data" in r.getMessage()]  # no warning under the cell
    photo = bright.permute(1, 2, 0).clamp(0, 1).numpy()
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), photo)
    red_only = np.zeros_like(photo)
    red_only[..., 0] = photo[..., 0]
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), red_only)
    plt.close(fig)
    with pytest.raises(ValueError, match=r"^ChannelMixer needs an RGB image \(3, H, W\); got \[\[0\.0\]\]\.$"):
        ChannelMixer([[0.0]], torch_multi_in)


def test_caption_names_each_channels_kernel_without_its_explanation():
    ex = ChannelMixer(IMG, torch_multi_in, r="identity", g="identity", b="identity")
    state = ex.set(r="Sobel y (horizontal edges)", b="Laplacian")
    assert ex.describe(state) == (f"R ⋆ Sobel y, G ⋆ identity, B ⋆ Laplacian · corr2d_multi_in vs F.conv2d(photo, "
                                  f"weight (1, 3, 3, 3)): largest difference {state.max_diff:.1e}")
