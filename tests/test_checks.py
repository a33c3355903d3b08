import pytest
import torch

from helpers.checks import CheckFailed, check, check_function


def test_check_pass_fail_and_not_attempted(capsys):
    assert check("shape", (1, 3, 14, 14), (1, 3, 14, 14)) is None  # no Out[] under an exercise cell
    check("size", torch.Size([2, 3]), (2, 3))
    check("tensor", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-8]))
    assert check("later", None, 3) is None
    out = capsys.readouterr().out
    assert out.count("✅") == 3 and out.count("⏳") == 1 and "⏳ later: not attempted" in out
    with pytest.raises(CheckFailed, match=r"expected \(1, 3, 14, 14\), got \(1, 3, 15, 15\)"):
        check("shape", (1, 3, 15, 15), (1, 3, 14, 14))
    with pytest.raises(CheckFailed, match=r"expected shape \(2, 2\), got shape \(4,\)"):
        check("tensor", torch.zeros(4), torch.zeros(2, 2))
    with pytest.raises(CheckFailed, match="expected a tensor"):
        check("tensor", [0.0, 0.0], torch.zeros(2))
    with pytest.raises(CheckFailed, match=r"expected 0.05 \(within 0.001\), got 0.5"):
        check("mean", 0.5, 0.05, atol=1e-3)


def test_check_function(capsys):
    cases = [(torch.randn(3, 4),), (torch.randn(5, 5),)]
    assert check_function("double", lambda x: x * 2, lambda x: x + x, cases) is None
    assert "✅ double: correct on all 2 cases" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"case 0 \(inputs \[\(3, 4\)\]\)"):
        check_function("double", lambda x: x * 3, lambda x: x + x, cases)
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_function("boom", lambda x: 1 / 0, lambda x: x, cases)
    check_function("todo", None, lambda x: x, cases)
    assert "⏳ todo: not attempted" in capsys.readouterr().out
    with pytest.raises(ValueError, match="at least one"):
        check_function("empty", lambda x: x, lambda x: x, [])


def test_numbers_just_outside_the_documented_tolerance_are_rejected(capsys):
    """check() accepts |answer - expected| <= atol + rtol * |expected| (1e-6 + 1e-5 * 1 here) and nothing more."""
    check("inside", 1.0 + 9e-6, 1.0)
    check("inside, tensor", torch.tensor([1.0 + 9e-6]), torch.tensor([1.0]))
    with pytest.raises(CheckFailed):
        check("outside", 1.0 + 2e-5, 1.0)
    with pytest.raises(CheckFailed):
        check("outside, tensor", torch.tensor([1.0 + 2e-5], dtype=torch.float64), torch.tensor([1.0]))
    with pytest.raises(CheckFailed):
        check("a wider custom tolerance is still a bound", 0.2, 0.0, atol=0.1)
    check("a wider custom tolerance", 0.09, 0.0, atol=0.1)
    assert capsys.readouterr().out.count("✅") == 3
