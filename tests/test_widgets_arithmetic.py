import matplotlib

matplotlib.use("Agg")

import itertools  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from helpers.widgets.arithmetic import ConvArithmetic, torch_output_size, window_taps  # noqa: E402


def test_compute_matches_pytorch_over_many_geometries():
    ex = ConvArithmetic()
    checked = 0
    for n, k, p, s, d in itertools.product(range(1, 9), range(1, 6), range(3), range(1, 4), range(1, 3)):
        state = ex.compute(n=n, k=k, p=p, s=s, d=d)
        try:
            expected = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, stride=s,
                                dilation=d).shape[-1]
        except RuntimeError:
            expected = None
        assert state.out == state.torch_out == expected, (n, k, p, s, d)
        assert state.match and (state.error is None) == (expected is not None)
        checked += expected is not None
    assert checked > 500


def test_worked_example_state_and_formula_text():
    ex = ConvArithmetic(n=5, k=3, p=1, s=2, d=1)
    assert ex.state.out == 3 and ex.controls["step"].max == 8 and ex.play.max == 8
    assert ex.state.formula.endswith("= ⌊4/2⌋ + 1 = 2 + 1 = 3")
    assert "✓ same" in ex.caption.value
    state = ex.compute(n=28, k=3, p=1, s=2, d=1)
    assert state.out == 14 and state.formula.endswith("⌊27/2⌋ + 1 = 13 + 1 = 14")
    corner, centre = ex.compute(n=5, k=3, p=1, s=2, d=1, step=0), ex.compute(n=5, k=3, p=1, s=2, d=1, step=4)
    assert corner.taps_in_padding == 5 and centre.taps_in_padding == 0
    assert (centre.i, centre.j) == (1, 1) and centre.taps[0] == (2, 2)


def test_window_taps_have_dilation_gaps():
    assert window_taps(0, 0, 2, s=1, d=3) == [(0, 0), (0, 3), (3, 0), (3, 3)]
    assert window_taps(1, 2, 1, s=2) == [(2, 4)]


def test_no_output_geometry_is_an_error_state_with_pytorchs_message():
    state = ConvArithmetic().compute(n=3, k=7, p=0, s=1, d=1)
    assert state.out is None and state.torch_out is None and not state.taps
    assert "larger than the padded input" in state.error
    assert "Kernel size can't be greater" in state.torch_error
    assert state.formula.endswith("≤ 0: no output")
    assert torch_output_size(3, 7) == (None, state.torch_error)


def test_set_moves_sliders_and_keeps_step_in_range():
    ex = ConvArithmetic(n=8, k=3, p=1, s=1, d=1)
    ex.set(step=63)
    assert (ex.state.i, ex.state.j) == (7, 7)
    state = ex.set(s=2)  # 4x4 output now: the step slider's maximum shrinks and the step is clamped
    assert state.out == 4 and ex.controls["step"].max == 15 and state.step == 15 and ex.play.max == 15
    state = ex.set(n=3, k=7, p=0)
    assert state.out is None and ex.controls["step"].value == 0 and "no output" in ex.caption.value
    state = ex.set(n=12, d=2, k=3)
    assert state.span == 5 and state.out == 4
    ex.play.value = 3
    assert ex.state.step == 3
    with pytest.raises(KeyError, match="no control named"):
        ex.set(size=3)


def test_one_move_redraws_once_even_when_it_clamps_the_step():
    ex = ConvArithmetic(n=8, k=3, p=1, s=1, d=1)
    ex.set(step=63)
    draws = []
    original = ex.draw
    ex.draw = lambda state: draws.append(state) or original(state)
    ex.controls["s"].value = 2  # a learner drags the stride slider: the step slider is clamped from 63 to 15
    assert len(draws) == 1 and draws[0].step == 15 and draws[0].out == 4


def test_bad_input_is_rejected_clearly():
    with pytest.raises(ValueError, match=r"k must be an integer in 1..7; got 0"):
        ConvArithmetic(k=0)
    with pytest.raises(ValueError, match=r"n must be an integer in 1..12; got 20"):
        ConvArithmetic(n=20)
    with pytest.raises(ValueError, match="p must be an integer >= 0; got 1.5"):
        ConvArithmetic().compute(n=5, k=3, p=1.5, s=1, d=1)
    with pytest.raises(ValueError, match=r"step must be in 0..8 for a 3×3 output; got 9"):
        ConvArithmetic().compute(n=5, k=3, p=1, s=2, d=1, step=9)
    with pytest.raises(ValueError, match="step must be 0"):
        ConvArithmetic().compute(n=3, k=7, p=0, s=1, d=1, step=1)


def test_figures():
    ex = ConvArithmetic()
    assert len(ex.static_figure(n=7, d=2, s=1).axes) == 2
    assert len(ex.static_figure(n=3, k=7, p=0, step=0).axes) == 2
    assert len(ex.filmstrip(n=5, k=3, p=1, s=2).axes) == 9
    with pytest.raises(ValueError, match="up to 4×4"):
        ex.filmstrip(n=12, s=1)


def test_controls_are_the_documented_sliders_and_player():
    from helpers.widgets.arithmetic import LABELS, RANGES

    ex = ConvArithmetic(n=6, k=2, p=0, s=1, d=1)
    for name, (low, high) in RANGES.items():
        c = ex.controls[name]
        assert (c.min, c.max, c.description, c.continuous_update, c.layout.width) == (
            low, high, LABELS[name], False, "230px"), name
    assert ex.values == {"n": 6, "k": 2, "p": 0, "s": 1, "d": 1, "step": 0}
    step = ex.controls["step"]
    assert (step.min, step.max, step.description, step.continuous_update, step.layout.width) == (
        0, 24, "output cell", True, "260px")
    assert (ex.play.value, ex.play.min, ex.play.max, ex.play.interval, ex.play.description) == (0, 0, 24, 700, "play")
    header, sliders, caption, play_row, out = ex.widget.children
    assert header.value == "<b>Convolution arithmetic: padding, stride, dilation</b>"
    assert play_row.children[0] is ex.play and "press play to slide the window" in play_row.children[1].value
    assert caption is ex.caption and out is ex.out and len(sliders.children) == 6


def test_compute_names_the_bad_parameter_and_keeps_every_input():
    ex = ConvArithmetic()
    good = {"n": 5, "k": 3, "p": 1, "s": 2, "d": 1, "step": 0}
    for name, bad in (("n", 0), ("k", 0), ("p", -1), ("s", 0), ("d", 0), ("step", -1)):
        with pytest.raises(ValueError, match=f"^{name} must be an integer"):
            ex.compute(**{**good, name: bad})
    state = ex.compute(n=7, k=3, p=0, s=1, d=2)
    assert (state.n, state.k, state.p, state.s, state.d, state.padded, state.span) == (7, 3, 0, 1, 2, 7, 5)
    assert state.formula == "⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(7 + 2·0 − 2·2 − 1)/1⌋ + 1 = ⌊2/1⌋ + 1 = 2 + 1 = 3"
    assert ex.compute(n=7, k=3, p=0, s=1, d=2, step=8).taps == ((2, 2), (2, 4), (2, 6), (4, 2), (4, 4), (4, 6),
                                                                (6, 2), (6, 4), (6, 6))
    none = ex.compute(n=3, k=7, p=0, s=1, d=1)
    assert none.formula == ("⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 = ⌊(3 + 2·0 − 1·6 − 1)/1⌋ + 1 = ⌊-4/1⌋ + 1 = -3 ≤ 0: "
                            "no output")
    assert ex.compute(n=3, k=7, p=0, s=2, d=1).formula.endswith("⌊(3 + 2·0 − 1·6 − 1)/2⌋ + 1 = ⌊-4/2⌋ + 1 = -1 ≤ 0: "
                                                                "no output")


def test_taps_on_padding_are_counted_on_every_side():
    ex = ConvArithmetic()
    for n, k, p, s, d in ((2, 3, 1, 1, 1), (3, 2, 2, 1, 2), (4, 3, 1, 2, 1), (1, 1, 1, 1, 1)):
        inside = F.pad(torch.ones(n, n), (p, p, p, p))  # 1 on the input, 0 on the padding ring
        state = ex.compute(n=n, k=k, p=p, s=s, d=d)
        for step in range(state.out * state.out):
            s_ = ex.compute(n=n, k=k, p=p, s=s, d=d, step=step)
            assert s_.taps_in_padding == sum(inside[r, c].item() == 0 for r, c in s_.taps), (n, k, p, s, d, step)


def test_caption_gives_pytorchs_verdict():
    from dataclasses import replace

    ex = ConvArithmetic()
    state = ex.compute(n=5, k=3, p=1, s=2, d=1)
    assert ex.describe(state) == state.formula + " · PyTorch's F.conv2d: 3×3  ✓ same"
    assert ex.describe(replace(state, torch_out=4)) == state.formula + " · PyTorch's F.conv2d: 4×4  ✗ DIFFERENT"
    none = ex.compute(n=3, k=7, p=0, s=1, d=1)
    refusal = " · PyTorch refuses too: Kernel size can't be greater than actual input size"
    assert ex.describe(none) == none.formula + refusal
    assert ex.describe(replace(none, torch_error=None)) == none.formula + " · PyTorch refuses too: "


def _by_colour(ax):
    import matplotlib.colors as mc

    cells = [p for p in ax.patches if p.get_width() == 1 and p.get_height() == 1]
    return {name: [p for p in cells if mc.same_color(p.get_facecolor(), colour)] for name, colour in
            (("input", "#9ecae1"), ("pad", "white"), ("tap", "#08519c"), ("pad_tap", "#7f8fa6"),
             ("done", "#74c476"), ("now", "#006d2c"))}


def test_padded_input_figure_shows_input_padding_taps_and_span():
    import matplotlib.colors as mc
    import matplotlib.pyplot as plt

    from helpers.widgets.arithmetic import draw_padded_input

    ex = ConvArithmetic()
    state = ex.compute(n=4, k=2, p=1, s=1, d=2, step=0)  # 6x6 padded, span 3, taps (0,0) (0,2) (2,0) (2,2)
    fig, ax = plt.subplots()
    draw_padded_input(ax, state)
    cells = _by_colour(ax)
    assert len([p for p in ax.patches if p.get_width() == 1]) == 36 + 4  # every cell, then the four taps on top
    assert len(cells["tap"]) == 1 and cells["tap"][0].get_xy() == (2, 2)  # the one tap on the input
    assert sorted(p.get_xy() for p in cells["pad_tap"]) == [(0, 0), (0, 2), (2, 0)]  # (col, row) of taps on padding
    ring = [p for p in cells["pad"]]
    assert len(ring) == 36 - 16 and all(mc.same_color(p.get_edgecolor(), "grey") for p in ring)
    assert {(p.get_linestyle(), p.get_linewidth()) for p in ring} == {("--", 0.8)}
    inner = cells["input"]
    assert len(inner) == 16 and {(p.get_linestyle(), p.get_linewidth()) for p in inner} == {("-", 1.5)}
    assert all(mc.same_color(p.get_edgecolor(), "white") for p in inner + cells["tap"] + cells["pad_tap"])
    assert sorted(p.get_xy() for p in inner) == [(c, r) for c in range(1, 5) for r in range(1, 5)]
    span = [p for p in ax.patches if p.get_width() == 3][0]
    assert span.get_xy() == (0, 0) and span.get_height() == 3 and not span.get_fill()
    assert mc.same_color(span.get_edgecolor(), "crimson") and span.get_linewidth() == 2.5
    assert ax.get_xlim() == (-0.2, 6.2) and ax.get_ylim() == (6.2, -0.2) and ax.get_aspect() == 1 and not ax.axison
    (label,) = ax.texts
    assert label.get_text() == "3 of 4 taps on padding" and label.get_position() == (3, 6.15)
    assert (label.get_ha(), label.get_va()) == ("center", "top")  # centred under the grid
    fig2, ax2 = plt.subplots()
    draw_padded_input(ax2, state, labels=False)
    assert not ax2.texts
    plt.close("all")


def test_output_figure_marks_done_current_and_remaining_cells():
    import matplotlib.colors as mc
    import matplotlib.pyplot as plt

    from helpers.widgets.arithmetic import draw_output

    state = ConvArithmetic().compute(n=5, k=3, p=1, s=2, d=1, step=5)  # 3x3 output, cell (1, 2)
    fig, ax = plt.subplots()
    draw_output(ax, state)
    cells = _by_colour(ax)
    assert sorted(p.get_xy() for p in cells["done"]) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]  # (col, row)
    assert [p.get_xy() for p in cells["now"]] == [(2, 1)]
    rest = cells["pad"]  # white: not computed yet
    assert sorted(p.get_xy() for p in rest) == [(0, 2), (1, 2), (2, 2)]
    assert all(mc.same_color(p.get_edgecolor(), "grey") and p.get_linewidth() == 0.8 for p in rest)
    assert all(mc.same_color(p.get_edgecolor(), "white") and p.get_linewidth() == 1.5
               for p in cells["done"] + cells["now"])
    outline = [p for p in ax.patches if not p.get_fill()][0]
    assert outline.get_xy() == (2, 1) and mc.same_color(outline.get_edgecolor(), "crimson")
    assert outline.get_linewidth() == 2.5
    assert ax.get_xlim() == (-0.2, 3.2) and ax.get_ylim() == (3.2, -0.2) and not ax.axison
    plt.close(fig)


def test_explorer_figure_titles_and_the_no_output_panel():
    import matplotlib.pyplot as plt

    ex = ConvArithmetic()
    fig = ex.static_figure(n=5, k=3, p=1, s=2, d=1, step=4)
    left, right = fig.axes
    assert left.get_title() == "input 5×5, padding 1: 7×7\nkernel 3×3, dilation 1: span 3, stride 2"
    assert right.get_title() == "output 3×3\ncell (1, 1) of 9"
    state = ex.compute(n=5, k=3, p=1, s=2, d=1)
    assert fig._suptitle.get_text() == state.formula + "\nPyTorch's F.conv2d: 3×3  ✓ same"
    fig2 = ex.static_figure(n=3, k=7, p=0, s=1, d=1, step=0)
    assert not fig2.axes[1].axison and "no output position fits" in fig2.axes[1].texts[0].get_text()
    strip = ex.filmstrip(n=4, k=1, p=0, s=1, d=1)  # the largest output the filmstrip draws: 4x4
    assert len(strip.axes) == 16 and [a.get_title() for a in strip.axes[:5]] == [
        "output (0, 0)", "output (0, 1)", "output (0, 2)", "output (0, 3)", "output (1, 0)"]
    assert strip._suptitle.get_text() == "n=4, k=1, p=0, s=1, d=1: 4×4 windows"
    assert not any(a.texts for a in strip.axes) and tuple(strip.get_size_inches()) == pytest.approx((8.4, 8.4))
    one = ex.filmstrip(n=1, k=1, p=0, s=1, d=1)  # a 1x1 output still gives a grid of axes
    assert len(one.axes) == 1 and one.axes[0].get_title() == "output (0, 0)"
    plt.close("all")


def test_defaults_of_the_explorer_and_its_helpers():
    assert ConvArithmetic().values == {"n": 5, "k": 3, "p": 1, "s": 2, "d": 1, "step": 0}
    assert window_taps(0, 1, 2) == [(0, 1), (0, 2), (1, 1), (1, 2)]  # stride 1, dilation 1
    assert torch_output_size(5, 3) == (3, None)  # no padding, stride 1, dilation 1
    ex = ConvArithmetic(n=7, k=3, p=0, s=1, d=2)  # the dilation sets the step slider's range too
    assert ex.controls["step"].max == 8 and ex.play.max == 8
    header, sliders, caption, play_row, out = ex.widget.children
    assert play_row.children[1].value == "&nbsp;press play to slide the window"


def test_every_tap_is_coloured_by_where_it_lands():
    import matplotlib.colors as mc
    import matplotlib.pyplot as plt

    from helpers.widgets.arithmetic import draw_padded_input

    ex = ConvArithmetic()
    for n, k, p, s, d in ((3, 3, 1, 1, 1), (2, 2, 2, 1, 2), (4, 3, 1, 2, 1)):
        inside = F.pad(torch.ones(n, n), (p, p, p, p))
        out = ex.compute(n=n, k=k, p=p, s=s, d=d).out
        for step in range(out * out):
            state = ex.compute(n=n, k=k, p=p, s=s, d=d, step=step)
            fig, ax = plt.subplots()
            draw_padded_input(ax, state)
            taps = ax.patches[state.padded ** 2:state.padded ** 2 + len(state.taps)]  # drawn after the grid
            for (r, c), patch in zip(state.taps, taps, strict=True):
                assert patch.get_xy() == (c, r) and (patch.get_linestyle(), patch.get_linewidth()) == ("-", 1.5)
                assert mc.same_color(patch.get_facecolor(), "#08519c" if inside[r, c] else "#7f8fa6"), (r, c)
                assert mc.same_color(patch.get_edgecolor(), "white")
            plt.close(fig)


def test_output_outline_is_one_cell_and_the_cells_are_solid():
    import matplotlib.pyplot as plt

    from helpers.widgets.arithmetic import draw_output

    fig, ax = plt.subplots()
    draw_output(ax, ConvArithmetic().compute(n=5, k=3, p=1, s=2, d=1, step=4))
    outline = [p for p in ax.patches if not p.get_fill()][0]
    assert (outline.get_width(), outline.get_height()) == (1, 1)
    assert {p.get_linestyle() for p in ax.patches} <= {"-", "solid"}  # matplotlib spells a solid line both ways
    plt.close(fig)


def test_explorer_figure_puts_the_input_left_and_the_output_right():
    import matplotlib.pyplot as plt

    ex = ConvArithmetic()
    left, right = ex.static_figure(n=5, k=3, p=1, s=2, d=1, step=4).axes
    assert len(left.patches) == 49 + 9 + 1 and len(right.patches) == 9 + 1  # 7x7 padded input, 3x3 output
    none = ex.static_figure(n=3, k=7, p=0, s=1, d=1, step=0).axes[1]
    (text,) = none.texts
    assert text.get_text() == "no output position fits:\nthe kernel's span is larger\nthan the padded input"
    assert text.get_position() == (0.5, 0.5) and (text.get_ha(), text.get_va()) == ("center", "center")
    plt.close("all")
