import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import plotting  # noqa: E402
from helpers.training import History  # noqa: E402


def test_show_images_layouts():
    fig = plotting.show_images([torch.rand(8, 8), torch.rand(3, 8, 8), torch.rand(1, 8, 8)], nrows=1,
                               titles=["a", "b", "c"])
    assert len(fig.axes) == 3 and [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    assert fig.axes[1].images[0].get_array().shape == (8, 8, 3)
    plt.close(fig)


def test_show_images_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"image 0 should be .*got shape \(2, 2, 2, 2\)"):
        plotting.show_images([torch.rand(2, 2, 2, 2)])
    with pytest.raises(ValueError, match="1x2 grid cannot hold 3"):
        plotting.show_images([torch.rand(2, 2)] * 3, nrows=1, ncols=2)
    with pytest.raises(ValueError, match=r"\(out, in, kh, kw\); got shape \(3, 3\)"):
        plotting.show_kernels(torch.rand(3, 3))
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4, 4\)"):
        plotting.show_feature_maps(torch.rand(2, 3, 4, 4))


def test_kernels_and_feature_maps():
    fig = plotting.show_kernels(torch.randn(10, 1, 5, 5))
    assert sum(bool(ax.images) for ax in fig.axes) == 10
    fig2 = plotting.show_feature_maps(torch.rand(1, 6, 12, 12), title="conv1")
    assert sum(bool(ax.images) for ax in fig2.axes) == 6
    plt.close("all")


def test_draw_grid_marks_unknown_cells():
    fig, ax = plt.subplots()
    plotting.draw_grid(ax, torch.tensor([[1.0, float("nan")], [3.0, 4.0]]), highlight=(0, 0, 1, 2), padding=0)
    assert [t.get_text() for t in ax.texts] == ["1", "?", "3", "4"] and len(ax.patches) == 1
    with pytest.raises(ValueError, match="2-D matrix"):
        plotting.draw_grid(ax, torch.zeros(2, 2, 2))
    plt.close(fig)


def test_live_curves_outside_a_kernel_draw_without_display():
    curves = plotting.LiveCurves(title="t")
    assert not curves.enabled
    h = History(step=[1, 2], step_loss=[1.0, 0.5], epoch=[1], epoch_step=[2], train_acc=[0.5], val_acc=[0.6])
    curves.update(h, force=True)
    assert len(curves.ax_loss.lines) == 1 and len(curves.ax_acc.lines) == 2
    curves.close()
    fig = plotting.plot_history({"a": h, "b": h})
    assert len(fig.axes[0].lines) == 2
    fig, (a1, a2) = plt.subplots(1, 2)
    plotting.plot_history({"a": h}, "train_acc", ax=a1)
    plotting.plot_history({"a": h}, "val_acc", ax=a2)  # no "layout has changed" warning (an error here)
    assert len(a2.lines) == 1
    fig = plotting.plot_confusion_matrix(torch.tensor([[5, 1], [0, 4]]))
    assert len(fig.axes[0].texts) == 4
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(torch.zeros(2, 3))
    plt.close("all")


def test_confusion_matrix_puts_each_count_in_its_row_and_column():
    """Rows are the true class, columns the predicted one: read each number back from where it is drawn."""
    cm = torch.tensor([[50, 1, 2], [3, 40, 4], [5, 6, 30]])
    fig = plotting.plot_confusion_matrix(cm)
    ax = fig.axes[0]
    drawn = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in ax.texts}
    assert drawn == {(i, j): int(cm[i, j]) for i in range(3) for j in range(3)}
    assert ax.get_ylabel() == "true" and ax.get_xlabel() == "predicted"
    image = ax.images[0].get_array()
    assert image[0, 2] == pytest.approx(np.log1p(2)) and image[2, 0] == pytest.approx(np.log1p(5))  # not transposed
