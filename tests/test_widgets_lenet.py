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


def _explorer_with_known_answers(max_maps=6):
    """A net whose probabilities are fixed by the image: image 0 is called a 2 (label 2), image 1 a 7 (label 1)."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
    images, labels = torch.randn(2, 1, 8, 8), torch.tensor([2, 1])
    with torch.no_grad():
        net[2].weight.zero_()
        net[2].bias.copy_(torch.zeros(10))
    ex = DigitExplorer(net, images, labels, max_maps=max_maps)
    return ex, net


def test_digit_explorer_controls_and_messages():
    net = tiny_net()
    images, labels = torch.randn(5, 1, 8, 8), torch.tensor([3, 1, 4, 1, 5])
    ex = DigitExplorer(net, images, labels, name="test image")
    index = ex.controls["index"]
    assert (index.value, index.min, index.max, index.description) == (0, 0, 4, "test image")
    assert not index.continuous_update  # one forward pass per release, not per pixel dragged
    assert index.layout.width == "480px" and index.style.description_width == "initial"  # the name shown whole
    assert ex.widget.children[0].value == "<b>What LeNet sees in one digit (test images)</b>"
    with pytest.raises(ValueError, match=r"^images must be"):
        DigitExplorer(net, torch.randn(5, 3, 8, 8), labels)
    with pytest.raises(ValueError, match=r"^Sequential has no nn.Conv2d layer"):
        DigitExplorer(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), images, labels)


def test_digit_figure_shows_the_digit_the_probabilities_and_the_maps():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    import numpy as np

    ex, net = _explorer_with_known_answers(max_maps=6)  # the net has 4 maps: all 4 shown
    for index, pred in ((0, 2), (1, 7)):
        with torch.no_grad():
            net[2].bias.copy_(torch.nn.functional.one_hot(torch.tensor(pred), 10).float() * 3)
        state = ex.compute(index=index)
        right = state.label == pred
        assert state.pred == pred and state.correct == right
        verdict = "right" if right else "wrong"
        assert ex.describe(state).endswith(f"({verdict})")
        fig = ex.draw(state)
        digit, bars, *maps = fig.axes
        assert digit.get_title() == f"image {index}: label {state.label}" and not digit.axison
        np.testing.assert_allclose(digit.images[0].get_array(), state.image.numpy())
        assert digit.images[0].get_cmap().name == "gray"
        assert [r.get_height() for r in bars.patches] == pytest.approx(state.probs.tolist())
        colours = [mcolors.to_hex(r.get_facecolor()) for r in bars.patches]
        mark = mcolors.to_hex("tab:green" if right else "tab:red")
        assert colours == [mark if k == pred else mcolors.to_hex("tab:gray") for k in range(10)]
        assert list(bars.get_xticks()) == list(range(10)) and bars.get_ylim() == (0, 1.05)
        assert (bars.get_xlabel(), bars.get_ylabel()) == ("class", "probability")
        assert bars.get_title() == f"predicted {pred} ({state.confidence:.1%}, {verdict})"
        assert [ax.get_title() for ax in maps] == ["map 0", "map 1", "map 2", "map 3"]
        for c, ax in enumerate(maps):
            np.testing.assert_allclose(ax.images[0].get_array(), state.maps[c].numpy())
            assert ax.images[0].get_cmap().name == "viridis" and not ax.axison
        # the digit and the bars span both rows; the maps fill a 2-row grid to their right, row by row
        spans = [(ax.get_subplotspec().rowspan, ax.get_subplotspec().colspan) for ax in fig.axes]
        assert spans == [(range(0, 2), range(0, 1)), (range(0, 2), range(1, 2)), (range(0, 1), range(3, 4)),
                         (range(0, 1), range(4, 5)), (range(1, 2), range(3, 4)), (range(1, 2), range(4, 5))]
        assert fig.get_suptitle() == "first-layer feature maps (conv1 output, before the activation)"
        assert fig._suptitle.get_position()[0] == 0.8  # over the maps, not over the digit
        assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
        plt.close(fig)


def test_digit_explorer_shows_six_maps_by_default():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 8 * 8, 10))
    ex = DigitExplorer(net, torch.randn(2, 1, 8, 8), torch.tensor([0, 1]))
    assert len(ex.static_figure(index=0).axes) == 2 + 6
