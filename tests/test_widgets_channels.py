import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.widgets.channels import CHANNEL_PRESETS, ChannelMixer, mix_channels, preset_kernel  # noqa: E402

torch.manual_seed(0)
IMG = torch.rand(3, 20, 24)


@pytest.mark.parametrize("shape", [(3, 9, 11, 3, 3), (2, 8, 8, 1, 1), (5, 12, 7, 3, 5)])
def test_mix_channels_is_one_output_channel_of_conv2d(shape):
    c, h, w, kh, kw = shape
    x, k = torch.randn(c, h, w), torch.randn(c, kh, kw)
    maps, total = mix_channels(x, k)
    assert maps.shape == (c, h, w)
    torch.testing.assert_close(total, F.conv2d(x[None], k[None], padding=(kh // 2, kw // 2))[0, 0])
    pad = (kh // 2, kw // 2)
    for i in range(c):
        torch.testing.assert_close(maps[i], F.conv2d(x[i][None, None], k[i][None, None], padding=pad)[0, 0])


def test_compute_numbers():
    ex = ChannelMixer(IMG)
    state = ex.compute(r="identity", g="negative identity", b="zero (ignore channel)")
    assert state["weight"].shape == (1, 3, 3, 3)
    torch.testing.assert_close(state["sum"], IMG[0] - IMG[1])
    torch.testing.assert_close(state["conv"], F.conv2d(IMG[None], state["weight"], padding=1)[0, 0])
    assert state["max_diff"] < 1e-6 and (state["maps"][2] == 0).all()
    blur = ex.compute(r="box blur", g="box blur", b="box blur")
    torch.testing.assert_close(blur["sum"][5, 5], IMG[:, 4:7, 4:7].sum() / 9)


def test_set_and_describe():
    ex = ChannelMixer(IMG, r="identity", g="identity", b="identity")
    torch.testing.assert_close(ex.state["sum"], IMG.sum(0))
    state = ex.set(g="Laplacian")
    assert state["names"] == ("identity", "Laplacian", "identity")
    assert state["weight"][0, 1].tolist() == CHANNEL_PRESETS["Laplacian"]
    assert ex.caption.value.startswith("R ⋆ identity, G ⋆ Laplacian, B ⋆ identity · sum of the 3 maps vs "
                                       "F.conv2d(photo, weight (1, 3, 3, 3)): largest difference")
    with pytest.raises(KeyError, match="no control named"):
        ex.set(alpha="identity")
    assert len(ex.static_figure(r="Sobel y (horizontal edges)").axes) == 8


def test_bad_input_is_rejected_clearly():
    with pytest.raises(ValueError, match=r"RGB image \(3, H, W\); got \(1, 20, 24\)"):
        ChannelMixer(IMG[:1])
    with pytest.raises(ValueError, match=r"image must be a 3-D tensor \(C, H, W\); got \(20, 24\)"):
        ChannelMixer(IMG[0])
    with pytest.raises(ValueError, match="unknown kernel preset 'blur'"):
        ChannelMixer(IMG, r="blur")
    with pytest.raises(ValueError, match=r"kernels must be \(C, kh, kw\) with C = 3 .*got \(2, 3, 3\)"):
        mix_channels(IMG, torch.zeros(2, 3, 3))
    assert preset_kernel("identity")[1, 1] == 1
