import numpy as np
import pytest
import torch

from helpers.checks import CheckFailed, check, check_function


def test_check_pass_fail_and_not_attempted(capsys):
    assert check("shape", (1, 3, 14, 14), (1, 3, 14, 14)) is None  # no Out[] under an exercise cell
    check("size", torch.Size([2, 3]), (2, 3))
    check("tensor", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-8]))
    assert check("later", None, 3) is None
    out = capsys.readouterr().out
    assert out.count("✅") == 3 and out.count("⏳") == 1 and "⏳ later: not yet." in out


def test_a_stub_says_not_yet_with_its_hint_and_fails_under_nbgrader(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check("ex", None, 3, hint="count the windows")
    check_function("fn", None, lambda x: x, [(1,)], hint="flip the kernel")
    out = capsys.readouterr().out
    assert ("⏳ ex: not yet. Replace the `None` above with your answer and run the cell again. Hint: count the "
            "windows") in out
    assert "⏳ fn: not yet." in out and "Hint: flip the kernel" in out
    for mode in ("autograde", "validate"):  # what nbgrader sets: an unanswered exercise scores nothing
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        with pytest.raises(CheckFailed, match="⏳ ex: not yet"):
            check("ex", None, 3)
        with pytest.raises(CheckFailed, match="⏳ fn: not yet"):
            check_function("fn", None, lambda x: x, [(1,)])
        check("ex", 3, 3)  # a right answer still passes
    assert capsys.readouterr().out.count("✅") == 2


def test_a_wrong_answer_points_to_the_chapters_solution_in_either_edition():
    with pytest.raises(CheckFailed, match=r"folded under the exercise in the chapter"):
        check("ex", 4, 3)


@pytest.mark.parametrize("answer", [61_706, 61_706.0, np.int64(61_706), torch.tensor(61_706), torch.tensor([61_706.0])])
@pytest.mark.parametrize("expected", [61_706, 61_706.0, torch.tensor(61_706)])
def test_any_form_of_a_right_number_is_accepted(answer, expected, capsys):
    check("params", answer, expected)
    assert "✅ params: correct." in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "expected", "hint"), [
    (-5.0, 5.0, "the sign is off"),
    (10, 5, "twice the expected one"),
    (2.5, 5.0, "half the expected one"),
    (6, 5, "off by one: your answer is one too large"),
    (4, 5, "off by one: your answer is one too small"),
    (9, 5, "not quite: your answer is too large"),
    ((1, 3, 15, 15), (1, 3, 14, 14), r"value 3 of 4 is off \(off by one"),
    ((2, 3), (2, 3, 4), "expected 3 values, got 2"),
    (torch.zeros(4), torch.zeros(2, 2), r"the shape is off: yours is \(4,\), with 1 dimensions where 2 are expected"),
    (torch.tensor([[1.0, 2], [3, 4]]), torch.tensor([[1.0, 3], [2, 4]]), "transposed"),
    (-torch.arange(4.0), torch.arange(4.0), "signs are flipped"),
    (torch.tensor([1.0, 2, 3]), torch.tensor([3.0, 2, 1]), "reverse order"),
    (torch.tensor([1.0, 2, 9]), torch.tensor([1.0, 2, 3]), "1 of 3 values are off"),
    ([0.0, 0.0], torch.zeros(2), "expected a tensor"),
    ("seven", 7, "expected a single number, got str"),
])
def test_a_wrong_answer_gets_a_hint_never_the_answer(answer, expected, hint):
    with pytest.raises(CheckFailed, match=hint) as err:
        check("exercise", answer, expected)
    message = str(err.value)
    secret = str(expected.tolist() if isinstance(expected, torch.Tensor) else expected)
    assert secret not in message and "folded under the exercise in the chapter" in message


def test_a_custom_hint_is_added():
    with pytest.raises(CheckFailed, match="Hint: count the bias too"):
        check("params", 60, 61, hint="count the bias too")


def test_numbers_just_outside_the_documented_tolerance_are_rejected(capsys):
    """check() accepts |answer - expected| <= atol + rtol * |expected| (1e-6 + 1e-5 * 1 here) and nothing more."""
    check("inside", 1.0 + 9e-6, 1.0)
    check("inside, tensor", torch.tensor([1.0 + 9e-6, 2.0]), torch.tensor([1.0, 2.0]))
    with pytest.raises(CheckFailed):
        check("outside", 1.0 + 2e-5, 1.0)
    with pytest.raises(CheckFailed):
        check("outside, tensor", torch.tensor([1.0 + 2e-5, 2.0], dtype=torch.float64), torch.tensor([1.0, 2.0]))
    with pytest.raises(CheckFailed):
        check("a wider custom tolerance is still a bound", 0.2, 0.0, atol=0.1)
    check("a wider custom tolerance", 0.09, 0.0, atol=0.1)
    assert capsys.readouterr().out.count("✅") == 3


def test_check_function(capsys):
    cases = [(torch.randn(3, 4),), (torch.randn(5, 5),)]
    assert check_function("double", lambda x: x * 2, lambda x: x + x, cases) is None
    assert "✅ double: correct on all 2 cases" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"case 0 \(inputs \[\(3, 4\)\]\): the shape is right; 12 of 12 values"):
        check_function("double", lambda x: x * 3, lambda x: x + x, cases)
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_function("boom", lambda x: 1 / 0, lambda x: x, cases)
    check_function("todo", None, lambda x: x, cases)
    assert "⏳ todo: not yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="at least one"):
        check_function("empty", lambda x: x, lambda x: x, [])


# The exact hint for each kind of wrong answer, and the exact verdict for right ones (what check() prints).
@pytest.mark.parametrize(("answer", "expected", "verdict"), [
    (float("nan"), 5.0, (False, "your answer is NaN")),
    (-5.0, 5.0, (False, "the sign is off")),
    (-1, 1, (False, "the sign is off")),
    (2, 1, (False, "your answer is twice the expected one (a factor of 2 is off)")),
    (20, 5, (False, "your answer is four times the expected one (a factor of 4 is off)")),
    (1.25, 5.0, (False, "your answer is a quarter of the expected one (a factor of 0.25 is off)")),
    (1, 5, (False, "not quite: your answer is too small")),
    (9, 5, (False, "not quite: your answer is too large")),
    (5, 5, (True, "")),
    (np.array([5.0]), 5, (True, "")),
    (np.array([[5.0]]), 5, (False, "expected a single number, got ndarray")),
    (np.array([5.0, 5.0]), 5, (False, "expected a single number, got ndarray")),
    (torch.tensor([[5.0]]), 5, (False, "expected a single number, got Tensor")),
    (np.array([1.0, 2.0]), torch.tensor([1.0, 2.0]), (True, "")),
    ([1.0, 2.0], torch.tensor([1.0, 2.0]), (False, "expected a tensor (of 1 dimensions), got list")),
    (torch.zeros(3), torch.zeros(2), (False, "the shape is off: yours is (3,)")),
    (torch.tensor([-5e-7, -1.0]), torch.tensor([0.0, 1.0]), (False, "the shape is right; the signs are flipped")),
    (torch.tensor([1e-7, 1e-7]), torch.zeros(2), (True, "")),  # within atol = 1e-6 of zero
    (torch.tensor([1e-7, 1e-7, 5.0]), torch.zeros(3), (False, "the shape is right; 1 of 3 values are off")),
    ((2, 3), (2, 3), (True, "")),
    (7, (2, 3), (False, "expected a tuple of 2 values, got int")),
    ("relu", "relu", (True, "")),
    ("tanh", "relu", (False, "not quite (compare with the text above the exercise)")),
])
def test_the_exact_verdict_and_hint(answer, expected, verdict):
    from helpers.checks import _same

    assert _same(answer, expected, atol=1e-6, rtol=1e-5) == verdict


def test_the_relative_tolerance_is_the_one_given():
    """rtol 1e-3 accepts 0.05 % off and nothing further, for numbers and tensors, signs flipped or not."""
    from helpers.checks import _same

    e = torch.tensor([1000.0, 2000.0])
    assert _same(1000.5, 1000.0, atol=0, rtol=1e-3) == (True, "")
    assert _same(e + torch.tensor([0.5, 0.0]), e, atol=0, rtol=1e-3) == (True, "")
    flipped, one_off = "the shape is right; the signs are flipped", "the shape is right; 1 of 2 values are off"
    assert _same(-(e + torch.tensor([0.5, 0.0])), e, atol=0, rtol=1e-3) == (False, flipped)
    assert _same(e + torch.tensor([0.5, 9.0]), e, atol=0, rtol=1e-3) == (False, one_off)
    assert _same(1.5, 1.0, atol=0.5, rtol=0) == (True, "")  # exactly on the boundary: accepted


def test_the_whole_message_without_and_with_a_hint():
    with pytest.raises(CheckFailed) as err:
        check("exercise", -5.0, 5.0)
    assert str(err.value) == ("❌ exercise: the sign is off. (A worked solution is folded under the exercise in the "
                              "chapter.)")
    with pytest.raises(CheckFailed) as err:
        check("exercise", -5.0, 5.0, hint="mind the direction")
    assert str(err.value) == ("❌ exercise: the sign is off. Hint: mind the direction "
                              "(A worked solution is folded under the exercise in the chapter.)")


def test_check_function_names_the_case_and_its_inputs():
    with pytest.raises(ValueError, match=r"^check_function needs at least one test case\.$"):
        check_function("f", lambda x: x, lambda x: x, [])
    with pytest.raises(CheckFailed, match=r"case 1 \(inputs \[\(2, 2\), 3\]\): the shape is right; 4 of 4 values"):
        check_function("scale", lambda x, k: x * 2, lambda x, k: x * k, [(torch.ones(2, 2), 2), (torch.ones(2, 2), 3)])


def test_flipped_and_transposed_hints_use_the_same_tolerance_as_the_check():
    """A reversed or transposed answer that is otherwise right within atol/rtol gets the precise hint."""
    with pytest.raises(CheckFailed, match=r": the shape is right; the values are in reverse order \(flipped\)(?!XX)"):
        check("rev", torch.tensor([3.0, 2.0, 5e-7]), torch.tensor([0.0, 2.0, 3.0]))  # 5e-7 from 0: within atol
    with pytest.raises(CheckFailed, match=r"reverse order \(flipped\)"):
        check("rev", torch.tensor([3.0, 2.0, 1000.5]), torch.tensor([1000.0, 2.0, 3.0]), rtol=1e-3)
    with pytest.raises(CheckFailed, match=r": the shape is right; the result is transposed(?!XX)"):
        check("T", torch.tensor([[5e-7, 3.0], [2.0, 4.0]]), torch.tensor([[0.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(CheckFailed, match="the result is transposed"):
        check("T", torch.tensor([[1000.5, 3.0], [2.0, 4.0]]), torch.tensor([[1000.0, 2.0], [3.0, 4.0]]), rtol=1e-3)
