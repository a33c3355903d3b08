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
