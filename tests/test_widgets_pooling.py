import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.inspect import transposed_output_size  # noqa: E402
from helpers.widgets.pooling import (  # noqa: E402
    CheckerboardExplorer,
    PoolingExplorer,
    overlap_counts,
    pool_image,
    upsample,
)

X5 = torch.tensor([[3.0, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]])


def test_pool_image_worked_examples():
    assert pool_image(X5, 2, 2).tolist() == [[4, 8], [9, 8]]
    assert pool_image(X5, 2, 2, ceil_mode=True).tolist() == [[4, 8, 7], [9, 8, 4], [7, 5, 1]]
    assert pool_image(torch.arange(9.0).reshape(3, 3), 2, 1).tolist() == [[4, 5], [7, 8]]
    assert pool_image(torch.arange(9.0).reshape(3, 3), 2, 1, mode="avg").tolist() == [[2, 3], [5, 6]]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("shape", "window", "stride", "padding", "ceil_mode"), [
    ((7, 9), 2, 2, 0, False), ((7, 9), 3, 2, 1, True), ((8, 5), 3, 1, 1, False), ((6, 6), 4, 3, 2, True),
    ((5, 5), 2, 2, 1, True), ((10, 3), 1, 2, 0, False),
])
def test_pool_image_matches_pytorch(mode, shape, window, stride, padding, ceil_mode):
    torch.manual_seed(0)
    img = torch.randn(shape) - 3  # all negative: padding must never win a max
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = pool(img[None, None], window, stride, padding, ceil_mode=ceil_mode)[0, 0]
    torch.testing.assert_close(pool_image(img, window, stride, padding, mode, ceil_mode), expected)


def test_pool_image_rejects_bad_input():
    with pytest.raises(ValueError, match=r"shape \(H, W\).*got \(2, 3, 3\)"):
        pool_image(torch.zeros(2, 3, 3), 2, 2)
    with pytest.raises(ValueError, match="at most|between 0 and window // 2 = 1"):
        pool_image(X5, 2, 2, padding=2)
    with pytest.raises(ValueError, match="mode must be one of"):
        pool_image(X5, 2, 2, mode="min")
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        pool_image(X5, 2, 0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        pool_image(X5, 6, 1)


def test_pooling_explorer_state_and_set():
    img = torch.rand(1, 28, 28)
    ex = PoolingExplorer(img)
    assert ex.state["shape"] == ex.state["expected_shape"] == (14, 14) and ex.state["matches_torch"]
    assert ex.state["windows"] == [(0, 0, 2, 2), (0, 2, 2, 2), (2, 0, 2, 2)]
    assert ex.describe(ex.state) == ("max pooling 28×28 → 14×14; conv_output_shape says (14, 14); "
                                     "equals F.max_pool2d")
    state = ex.set(window=3, stride=2, padding=1, mode="avg", ceil_mode=True)
    assert state["shape"] == (15, 15) and state["matches_torch"] and state["overlap"]
    assert state["windows"][0] == (-1, -1, 3, 3)
    state = ex.set(padding=2)  # PyTorch refuses padding > window // 2: the explorer shows the error instead
    assert state["output"] is None and "window // 2" in state["error"]
    assert ex.describe(state).startswith("⚠ padding must be between 0 and window // 2 = 1")
    fig = ex.static_figure(window=3, padding=1, stride=4, ceil_mode=False)
    assert len(fig.axes) == 2 and fig._suptitle.get_text().startswith("window 3, stride 4, padding 1")
    assert ex.compute(window=2, stride=3, padding=0, mode="max", ceil_mode=False)["gaps"]
    with pytest.raises(KeyError, match="no control named"):
        ex.set(size=3)
    with pytest.raises(ValueError, match=r"got \(3, 28, 28\)"):
        PoolingExplorer(torch.rand(3, 28, 28))


def test_upsample_and_overlap_counts():
    torch.manual_seed(0)
    img = torch.rand(6, 7)
    nearest = F.interpolate(img[None, None], scale_factor=2, mode="nearest")[0, 0]
    torch.testing.assert_close(upsample(img, 2, 2), nearest)  # kernel == stride: each pixel becomes a block
    assert upsample(img, 3, 2).shape == (transposed_output_size(6, 3, stride=2), transposed_output_size(7, 3, stride=2))
    assert upsample(img, 3, 2, "resize + conv").shape == (12, 14)
    assert overlap_counts((4, 4), 3, 2)[2:6, 2:6].tolist() == [[4, 2, 4, 2], [2, 1, 2, 1], [4, 2, 4, 2],
                                                                [2, 1, 2, 1]]
    assert (overlap_counts((6, 6), 4, 2)[4:-4, 4:-4] == 4).all()
    with pytest.raises(ValueError, match="method must be one of"):
        upsample(img, 3, 2, "bicubic")


def test_checkerboard_explorer():
    ex = CheckerboardExplorer(torch.rand(28, 28))
    assert ex.state["uneven"] and (ex.state["min"], ex.state["max"]) == (1, 4) and ex.state["size"] == 57
    assert ex.describe(ex.state) == "transposed conv: output 57×57, uneven overlap (1 to 4 copies)"
    state = ex.set(kernel=4)
    assert not state["uneven"] and state["max"] == 4
    state = ex.set(kernel=3, method="resize + conv")
    assert not state["uneven"] and state["max"] == 9 and state["output"].shape == (56, 56) and state["size"] == 56
    assert ex.compute(kernel=1, stride=2, method="transposed conv")["min"] == 0  # kernel < stride: holes
    fig = ex.static_figure(kernel=2)
    assert len(fig.axes) == 3 and fig._suptitle.get_text() == "kernel 2, stride 2"  # drawn from the values passed
    with pytest.raises(ValueError, match=r"too small: expected at least 12×12.*got \(3, 3\)"):
        CheckerboardExplorer(torch.rand(3, 3))
    with pytest.raises(ValueError, match="too small for kernel 40"):
        ex.compute(kernel=40, stride=1, method="transposed conv")
