import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from helpers.widgets.lenet import DigitExplorer, classify_with_maps, first_conv  # noqa: E402


def tiny_net() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, 10))


def test_compute_matches_a_direct_forward_pass():
    net = tiny_net()
    images, labels = torch.randn(5, 1, 8, 8), torch.tensor([3, 1, 4, 1, 5])
    ex = DigitExplorer(net, images, labels, max_maps=4)
    assert ex.controls["index"].max == 4 and ex.state.index == 0
    state = ex.set(index=2)
    with torch.no_grad():
        probs = net(images[2:3]).softmax(1)[0]
        maps = net[0](images[2:3])[0]
    torch.testing.assert_close(state.probs, probs)
    torch.testing.assert_close(state.maps, maps)
    assert state.label == 4 and state.pred == int(probs.argmax())
    assert state.correct == (state.pred == 4) and state.confidence == pytest.approx(float(probs.max()))
    assert state.image.shape == (8, 8)
    assert ex.caption.value.startswith(f"image 2: label 4, predicted {state.pred} with probability ")
    assert len(ex.static_figure(index=1).axes) == 2 + 4
    named = DigitExplorer(net, images, labels, max_maps=4, name="validation image")
    assert named.controls["index"].description == "validation image"
    assert named.describe(named.compute(index=0)).startswith("validation image 0: label 3, predicted ")
    assert named.static_figure(index=1).axes[0].get_title() == "validation image 1: label 1"
    with pytest.raises(ValueError, match="name says what the images are"):
        DigitExplorer(net, images, labels, name="")


def test_model_mode_is_restored_and_eval_is_used():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2 * 6 * 6, 10))
    net.train()
    probs, maps = classify_with_maps(net, torch.randn(1, 8, 8))
    assert net.training and probs.shape == (10,) and maps.shape == (2, 6, 6)
    assert torch.equal(net[1].running_mean, torch.zeros(2))  # eval mode: no running-statistics update
    assert abs(probs.sum().item() - 1) < 1e-6


def test_bad_inputs_name_expected_and_received_shapes():
    net = tiny_net()
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\); got a tensor of shape \(5, 8, 8\)"):
        DigitExplorer(net, torch.randn(5, 8, 8), torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"labels must be integer labels of shape \(5,\), one per image; got a tensor "
                                         r"of shape \(4,\)"):
        DigitExplorer(net, torch.randn(5, 1, 8, 8), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="has no nn.Conv2d"):
        DigitExplorer(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), torch.randn(5, 1, 8, 8),
                      torch.zeros(5, dtype=torch.long))
    ex = DigitExplorer(net, torch.randn(3, 1, 8, 8), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"index must be an integer in 0..2; got 3"):
        ex.compute(index=3)
    with pytest.raises(ValueError, match=r"logits of shape \(1, classes\)"):
        classify_with_maps(nn.Sequential(nn.Conv2d(1, 2, 3)), torch.randn(1, 8, 8))
    assert isinstance(first_conv(net), nn.Conv2d)
