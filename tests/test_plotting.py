import matplotlib
import matplotlib.colors
import matplotlib.legend

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


def _style(line) -> dict:
    """What a reader sees of one curve: its points, colour, width, marker and legend label."""
    return {"x": list(line.get_xdata()), "y": list(line.get_ydata()),
            "color": matplotlib.colors.to_hex(line.get_color()), "lw": line.get_linewidth(),
            "marker": line.get_marker(), "label": line.get_label()}


def _faint_grid(ax) -> bool:
    lines = ax.xaxis.get_gridlines()
    return bool(lines) and all(g.get_visible() and g.get_alpha() == pytest.approx(0.3) for g in lines)


TAB = {name: matplotlib.colors.to_hex(f"tab:{name}") for name in ("blue", "green", "orange", "red")}


def test_live_curves_draw_each_series_where_a_learner_reads_it():
    curves = plotting.LiveCurves(title="LeNet")
    assert curves.enabled is False and curves.handle is None
    assert curves.fig.get_suptitle() == "LeNet"
    assert curves.fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"  # labels never overlap
    loss_box, acc_box = curves.ax_loss.get_position(), curves.ax_acc.get_position()
    assert loss_box.x1 <= acc_box.x0 and loss_box.y0 == pytest.approx(acc_box.y0)  # side by side, loss on the left
    h = History(step=[10, 20, 30], step_loss=[2.0, 1.0, 0.5], eval_step=[15, 30], eval_acc=[0.4, 0.7],
                epoch=[1], epoch_step=[30], train_acc=[0.6], val_acc=[0.65])
    curves.update(h, force=True)
    (loss,) = curves.ax_loss.lines
    assert _style(loss) == {"x": [10, 20, 30], "y": [2.0, 1.0, 0.5], "color": TAB["blue"], "lw": 1, "marker": "None",
                            "label": loss.get_label()}
    assert curves.ax_loss.get_xlabel() == "step" and curves.ax_loss.get_ylabel() == "training loss"
    periodic, train, val = curves.ax_acc.lines
    assert _style(periodic) == {"x": [15, 30], "y": [0.4, 0.7], "color": TAB["green"], "lw": 1, "marker": "None",
                                "label": "validation (periodic)"}
    assert _style(train) == {"x": [30], "y": [0.6], "color": TAB["orange"], "lw": train.get_linewidth(),
                             "marker": "o", "label": "train"}
    assert _style(val) == {"x": [30], "y": [0.65], "color": TAB["red"], "lw": val.get_linewidth(), "marker": "s",
                           "label": "validation"}
    assert train.get_linestyle() == "-" and val.get_linestyle() == "-"  # points joined by a line
    assert curves.ax_acc.get_xlabel() == "step" and curves.ax_acc.get_ylabel() == "accuracy"
    legend = curves.ax_acc.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["validation (periodic)", "train", "validation"]
    assert legend._get_loc() == matplotlib.legend.Legend.codes["lower right"]  # rising curves end top right
    assert _faint_grid(curves.ax_loss) and _faint_grid(curves.ax_acc)
    curves.update(History(step=[10], step_loss=[2.0]), force=True)  # redrawn from scratch, not stacked
    assert len(curves.ax_loss.lines) == 1 and not curves.ax_acc.lines and curves.ax_acc.get_legend() is None
    curves.close()


def test_live_curves_redraw_at_most_once_per_interval_unless_forced(monkeypatch):
    clock = [0.5]
    monkeypatch.setattr(plotting.time, "perf_counter", lambda: clock[0])
    curves = plotting.LiveCurves()  # min_interval 1 s by default
    one, two = History(step=[1], step_loss=[1.0]), History(step=[1, 2], step_loss=[1.0, 0.9])
    curves.update(one)  # 0.5 s after the start: too soon
    assert not curves.ax_loss.lines
    clock[0] = 1.0  # exactly one interval: redrawn
    curves.update(one)
    assert len(curves.ax_loss.lines[0].get_xdata()) == 1
    clock[0] = 1.9
    curves.update(two)  # 0.9 s after the last redraw: skipped
    assert len(curves.ax_loss.lines[0].get_xdata()) == 1
    curves.update(two, force=True)  # forced: redrawn at once (fit forces the end of each epoch)
    assert len(curves.ax_loss.lines[0].get_xdata()) == 2
    clock[0] = 2.5
    curves.update(one)  # the forced redraw restarted the interval
    assert len(curves.ax_loss.lines[0].get_xdata()) == 2
    clock[0] = 2.9
    curves.update(one)
    assert len(curves.ax_loss.lines[0].get_xdata()) == 1
    curves.close()
    slow = plotting.LiveCurves(min_interval=5.0)
    clock[0] = 4.0
    slow.update(one)
    assert not slow.ax_loss.lines
    slow.close()


def test_a_slow_redraw_waits_twenty_times_its_own_duration(monkeypatch):
    """Rendering the PNG took 0.23 s on the course machine: once a second would be a fifth of the run."""
    clock = [0.0]
    monkeypatch.setattr(plotting.time, "perf_counter", lambda: clock[0])
    curves = plotting.LiveCurves()

    class SlowHandle:
        def update(self, fig):
            clock[0] += 0.3  # this redraw takes 0.3 s

    curves.handle = SlowHandle()
    one, two = History(step=[1], step_loss=[1.0]), History(step=[1, 2], step_loss=[1.0, 0.9])
    curves.update(one, force=True)  # began at 0.0, took 0.3 s
    assert curves.cost == pytest.approx(0.3)
    clock[0] = 5.9
    curves.update(two)  # 5.9 s after it began: more than min_interval, less than 20 x 0.3 s
    assert len(curves.ax_loss.lines[0].get_xdata()) == 1
    clock[0] = 6.0
    curves.update(two)
    assert len(curves.ax_loss.lines[0].get_xdata()) == 2
    curves.handle = None  # a fast redraw: back to once per min_interval
    clock[0] = 9.0
    curves.update(one, force=True)
    clock[0] = 10.0
    curves.update(two)
    assert len(curves.ax_loss.lines[0].get_xdata()) == 2
    curves.close()


def test_live_curves_in_a_kernel_update_one_display_in_place(monkeypatch):
    import IPython.display

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj))

    def display(obj, display_id=None):
        shown.append(("display", obj, display_id))
        return Handle() if display_id is True else None

    monkeypatch.setattr(plotting, "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    curves = plotting.LiveCurves()
    assert curves.enabled is True and shown == [("display", curves.fig, True)]
    curves.update(History(step=[1], step_loss=[1.0]), force=True)
    assert shown[1:] == [("update", curves.fig)]
    curves.close()


def test_in_kernel_tells_a_kernel_from_a_plain_interpreter(monkeypatch):
    import sys
    import types

    import IPython

    assert plotting._in_kernel() is False  # pytest: no IPython shell at all
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    assert plotting._in_kernel() is True  # Jupyter: a shell with a kernel
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace())
    assert plotting._in_kernel() is False  # a terminal IPython: a shell, no kernel
    monkeypatch.setitem(sys.modules, "IPython", None)  # IPython not installed: the import fails
    assert plotting._in_kernel() is False


def test_closing_live_curves_closes_their_figure_only():
    curves = plotting.LiveCurves()
    other = plt.figure()  # the current figure now
    curves.close()
    assert not plt.fignum_exists(curves.fig.number) and plt.fignum_exists(other.number)
    plt.close(other)


def test_plot_history_puts_each_metric_on_its_own_axis():
    h = History(epoch=[1, 2], train_loss=[0.9, 0.5], train_acc=[0.6, 0.8], val_acc=[0.55, 0.75],
                step=[5, 10, 15], step_loss=[2.0, 1.5, 1.0], eval_step=[4, 8], eval_acc=[0.3, 0.5])
    g = History(epoch=[1, 2], train_loss=[1.0, 0.7], train_acc=[0.5, 0.6], val_acc=[0.45, 0.5],
                step=[5, 10, 15], step_loss=[2.2, 1.9, 1.7], eval_step=[4, 8], eval_acc=[0.2, 0.3])
    expected = {"val_acc": ("epoch", "val acc", "o"), "train_acc": ("epoch", "train acc", "o"),
                "train_loss": ("epoch", "train loss", "o"), "step_loss": ("step", "step loss", "None"),
                "eval_acc": ("step", "eval acc", "None")}
    for metric, (xlabel, ylabel, marker) in expected.items():
        fig = plotting.plot_history({"plain": h, "bn": g}, metric)
        ax = fig.axes[0]
        x = {"step_loss": "step", "eval_acc": "eval_step"}.get(metric, "epoch")
        assert [(ln.get_label(), list(ln.get_xdata()), list(ln.get_ydata()), ln.get_marker()) for ln in ax.lines] == [
            (name, getattr(run, x), getattr(run, metric), marker) for name, run in (("plain", h), ("bn", g))], metric
        assert (ax.get_xlabel(), ax.get_ylabel()) == (xlabel, ylabel)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "bn"] and _faint_grid(ax)
        plt.close(fig)
    fig, (left, right) = plt.subplots(1, 2)
    assert plotting.plot_history({"plain": h}, "train_loss", ax=right) is fig  # the caller's figure, for display
    assert not left.lines and right.get_ylabel() == "train loss"
    plt.close(fig)


def test_confusion_matrix_labels_colours_and_placement():
    cm = torch.tensor([[50, 1, 2], [3, 40, 4], [5, 6, 30]])
    fig = plotting.plot_confusion_matrix(cm)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert ax.images[0].get_cmap().name == "Blues"
    for t in ax.texts:  # each count centred in its cell, white on the dark diagonal, black elsewhere
        i, j = round(t.get_position()[1]), round(t.get_position()[0])
        assert (t.get_ha(), t.get_va()) == ("center", "center")
        assert matplotlib.colors.to_hex(t.get_color()) == ("#ffffff" if i == j else "#000000")
    plt.close(fig)
    names = ["cat", "dog", "eel"]
    fig = plotting.plot_confusion_matrix(cm, labels=names)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [t.get_text() for t in ax.get_yticklabels()] == names
    plt.close(fig)


def _grid(fig) -> tuple[int, int]:
    gs = fig.axes[0].get_subplotspec().get_gridspec()
    return gs.nrows, gs.ncols


def test_show_images_grid_size_colours_and_titles():
    fig = plotting.show_images([torch.rand(4, 4)] * 3)  # one row by default, 1.6 inches an image
    assert _grid(fig) == (1, 3) and tuple(fig.get_size_inches()) == pytest.approx((3 * 1.6, 1.6))
    plt.close(fig)
    fig = plotting.show_images([torch.rand(4, 4)] * 2, nrows=1, ncols=4, scale=2.0, title="two")
    assert _grid(fig) == (1, 4) and tuple(fig.get_size_inches()) == pytest.approx((8.0, 2.0))
    assert fig.get_suptitle() == "two" and not any(ax.axison for ax in fig.axes)  # empty cells hidden too
    plt.close(fig)
    fig = plotting.show_images([torch.rand(3, 5)], nrows=2, ncols=1, scale=1.5)  # a single image: one Axes
    assert tuple(fig.get_size_inches()) == pytest.approx((1.5, 3.0)) and len(fig.axes[0].images) == 1
    plt.close(fig)
    signed = torch.tensor([[-1.0, 0.5], [0.25, 0.0]])
    fig = plotting.show_images([signed, torch.rand(3, 4, 4)])
    grey, rgb = fig.axes
    assert grey.images[0].get_cmap().name == "gray" and grey.images[0].get_clim() == (-1.0, 0.5)  # own range
    assert rgb.images[0].get_array().shape == (4, 4, 3)
    plt.close(fig)
    fig = plotting.show_images([signed, torch.zeros(2, 2)], cmap="magma", symmetric=True)
    assert fig.axes[0].images[0].get_cmap().name == "magma" and fig.axes[0].images[0].get_clim() == (-1.0, 1.0)
    assert fig.axes[1].images[0].get_clim() == (-1.0, 1.0)  # all zeros: still a symmetric range
    plt.close(fig)
    fig = plotting.show_images([2 * signed], symmetric=True)
    assert fig.axes[0].images[0].get_clim() == (-2.0, 2.0)  # 0 in the middle of the colour scale
    plt.close(fig)
    with pytest.raises(ValueError, match=r"^show_images got no images\.$"):
        plotting.show_images([])


def test_show_kernels_eight_a_row_signed_and_numbered():
    weight = torch.randn(9, 2, 3, 3)
    fig = plotting.show_kernels(weight)
    assert _grid(fig) == (2, 8) and tuple(fig.get_size_inches()) == pytest.approx((8.0, 2.0))  # 1 inch a kernel
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(9)]
    for ax, w in zip(shown, weight[:, 0], strict=True):  # the first input channel, 0 white, red +, blue -
        m = float(w.abs().max())
        assert ax.images[0].get_cmap().name == "RdBu_r" and ax.images[0].get_clim() == pytest.approx((-m, m))
        np.testing.assert_allclose(ax.images[0].get_array(), w.numpy())
    plt.close(fig)
    fig = plotting.show_kernels(torch.randn(40, 1, 3, 3), scale=0.5)
    assert sum(bool(ax.images) for ax in fig.axes) == 32 and _grid(fig) == (4, 8)  # 32 at most by default
    assert tuple(fig.get_size_inches()) == pytest.approx((4.0, 2.0))
    plt.close(fig)
    fig = plotting.show_kernels(torch.randn(3, 1, 3, 3))
    assert _grid(fig) == (1, 3)
    plt.close(fig)


def test_show_feature_maps_eight_a_row_in_viridis():
    maps = torch.rand(9, 5, 5)
    fig = plotting.show_feature_maps(maps, title="conv1")
    assert _grid(fig) == (2, 8) and tuple(fig.get_size_inches()) == pytest.approx((8 * 1.2, 2 * 1.2))
    assert fig.get_suptitle() == "conv1"
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 9 and all(ax.images[0].get_cmap().name == "viridis" for ax in shown)
    plt.close(fig)
    fig = plotting.show_feature_maps(torch.rand(40, 5, 5), scale=1.0)
    assert sum(bool(ax.images) for ax in fig.axes) == 32 and tuple(fig.get_size_inches()) == pytest.approx((8, 4))
    plt.close(fig)


def test_draw_grid_puts_each_value_in_its_row_and_column():
    fig, ax = plt.subplots()
    values = torch.tensor([[0.0, 1, 2, 0], [0, 5, 6, 0], [0, 0, 0, 0]])  # 3 rows, 4 columns, a padding ring of 1
    plotting.draw_grid(ax, values, highlight=(1, 2, 2, 1), title="X", fmt="{:.1f}", cmap="Oranges", padding=1,
                       color="navy")
    cells = {t.get_position(): (t.get_text(), t.get_color()) for t in ax.texts}  # (x, y) = (column, row)
    assert len(ax.texts) == 12 and set(cells) == {(j, i) for i in range(3) for j in range(4)}
    assert cells[(1, 1)] == ("5.0", "black") and cells[(2, 1)] == ("6.0", "black")  # inside the padding ring
    assert cells[(2, 0)] == ("2.0", "grey") and cells[(3, 1)] == ("0.0", "grey") and cells[(1, 2)] == ("0.0", "grey")
    assert {(t.get_ha(), t.get_va(), t.get_fontsize()) for t in ax.texts} == {("center", "center", 9)}
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), values.numpy())
    assert image.get_cmap().name == "Oranges" and image.get_clim() == pytest.approx((0, 6 * 1.6))
    assert list(ax.xaxis.get_minor_locator().locs) == [-0.5, 0.5, 1.5, 2.5, 3.5]
    assert list(ax.yaxis.get_minor_locator().locs) == [-0.5, 0.5, 1.5, 2.5]
    minor = ax.xaxis.get_tick_params(which="minor")
    assert minor["gridOn"] and minor["grid_color"] == "white" and minor["grid_linewidth"] == 1.5
    for axis, label in ((ax.xaxis, "labelbottom"), (ax.yaxis, "labelleft")):
        for which in ("major", "minor"):
            params = axis.get_tick_params(which=which)
            assert params["length"] == 0 and params[label] is False
    ring, box = ax.patches
    assert (ring.get_xy(), ring.get_width(), ring.get_height()) == ((0.5, 0.5), 2, 1)  # the unpadded 1x2 inside
    assert not ring.get_fill() and ring.get_linestyle() == "--" and ring.get_edgecolor() == (0, 0, 0, 1)
    assert (box.get_xy(), box.get_width(), box.get_height()) == ((1.5, 0.5), 1, 2)  # rows 1-2 of column 2
    assert not box.get_fill() and matplotlib.colors.same_color(box.get_edgecolor(), "navy") and box.get_linewidth() == 3
    assert ax.get_title() == "X" and ax.title.get_fontsize() == 10
    plt.close(fig)


def test_draw_grid_shades_from_the_smallest_value_and_defaults():
    fig, (ax, flat) = plt.subplots(1, 2)
    plotting.draw_grid(ax, np.array([[-2.0, 3.0]]))
    assert ax.images[0].get_clim() == pytest.approx((-2, 3 * 1.6)) and ax.images[0].get_cmap().name == "Blues"
    assert [t.get_text() for t in ax.texts] == ["-2", "3"] and {t.get_color() for t in ax.texts} == {"black"}
    assert not ax.patches and ax.get_title() == ""
    plotting.draw_grid(flat, np.zeros((1, 1)))  # all zeros: a valid colour range all the same
    assert flat.images[0].get_clim() == pytest.approx((0, 1.6e-9))
    plt.close(fig)


def test_images_come_to_imshow_as_height_width_channels():
    chw = torch.arange(3 * 4 * 5, dtype=torch.float32).reshape(3, 4, 5)
    np.testing.assert_array_equal(plotting._as_numpy(chw), np.moveaxis(chw.numpy(), 0, -1))  # (3, H, W) -> (H, W, 3)
    np.testing.assert_array_equal(plotting._as_numpy(chw.numpy()), np.moveaxis(chw.numpy(), 0, -1))
    assert plotting._as_numpy(torch.zeros(1, 4, 5)).shape == (4, 5)  # one channel: a grey image
    assert plotting._as_numpy(np.zeros((4, 5, 1))).shape == (4, 5)
    assert plotting._as_numpy(np.zeros((4, 5, 3))).shape == (4, 5, 3)  # already (H, W, C)
    assert plotting._as_numpy(np.zeros((3, 5, 1))).shape == (3, 5)  # (H, W, 1) with H = 3 stays put, then squeezed
    assert plotting._as_numpy(np.zeros((3, 2, 3))).shape == (3, 2, 3)  # ambiguous: read as (H, W, C)
    assert plotting._as_numpy(np.zeros((2, 3, 4))).shape == (2, 3, 4)  # 2 channels: no image layout, left alone
    assert plotting._as_numpy(np.zeros((1, 3, 1))).shape == (1, 3)
    assert plotting._as_numpy(np.zeros((2, 1, 4, 4))).shape == (2, 1, 4, 4)  # only 3-D arrays are rearranged
    assert plotting._as_numpy([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    grad = torch.ones(1, 2, 2, requires_grad=True) * 2  # a tensor still attached to autograd
    np.testing.assert_array_equal(plotting._as_numpy(grad), np.full((2, 2), 2.0))


def test_draw_grid_shading_starts_at_zero_and_padding_ring_of_two():
    fig, (ax, wide) = plt.subplots(1, 2)
    plotting.draw_grid(ax, np.array([[2.0, 3.0], [4.0, 1e-5]]))
    assert ax.images[0].get_clim() == pytest.approx((0, 4 * 1.6))  # zero is the lightest, even if no cell is 0
    assert [t.get_text() for t in ax.texts] == ["2", "3", "4", "1e-05"]  # the default format: {:g}
    plotting.draw_grid(wide, np.zeros((6, 7)), padding=2)
    (ring,) = wide.patches
    assert (ring.get_xy(), ring.get_width(), ring.get_height()) == ((1.5, 1.5), 3, 2) and ring.get_linewidth() == 1
    plt.close(fig)
