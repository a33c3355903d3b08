"""Exercise checkers: ✅ for a right answer; for a wrong one, a hint about what is off (never the answer itself),
raised so that nbval sees it; for a stub (None), "not yet" with a hint, printed, so that a notebook with unanswered
exercises still runs top to bottom (the student edition). Under nbgrader's autograder or validator, which set
NBGRADER_EXECUTION, a stub fails like a wrong answer, so it scores nothing. Numbers may come as int, float, NumPy
scalar or 0-d tensor; the folded solution cell under each exercise in the chapter shows the answer."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from numbers import Number

import numpy as np
import torch


class CheckFailed(AssertionError):
    """A learner's answer does not match; the message hints at what is off, without giving the answer."""


NOT_YET = "⏳ {name}: not yet. Replace the `None` above with your answer and run the cell again."
SOLUTION = "(A worked solution is folded under the exercise in the chapter.)"


def _not_yet(name: str, hint: str | None) -> None:
    """A stub: "not yet" with the hint, printed; raised under nbgrader, where an unanswered exercise scores 0."""
    message = NOT_YET.format(name=name) + (f" Hint: {hint}" if hint else "")
    if os.environ.get("NBGRADER_EXECUTION"):
        raise CheckFailed(message)
    print(message)


def _number(v) -> float | None:
    """v as a float if it is a single number in any form (int, float, NumPy scalar, 0-d or 1-element tensor)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, torch.Tensor) and v.numel() == 1 and v.ndim <= 1:
        return float(v.detach().cpu().reshape(()).item())
    if isinstance(v, (Number, np.number)) or (isinstance(v, np.ndarray) and v.size == 1 and v.ndim <= 1):
        return float(np.asarray(v).item())  # float() of a 1-element array is an error in NumPy 2
    return None


def _close(a: float, e: float, atol: float, rtol: float) -> bool:
    return abs(a - e) <= atol + rtol * abs(e)


def _number_hint(a: float, e: float, atol: float, rtol: float) -> str:
    """What kind of wrong a number is: sign, a factor, off by one, or simply too large or too small."""
    if math.isnan(a):
        return "your answer is NaN"
    if e != 0 and _close(-a, e, atol, rtol):
        return "the sign is off"
    for factor, words in ((2, "twice"), (0.5, "half"), (4, "four times"), (0.25, "a quarter of")):
        if e != 0 and _close(a, e * factor, atol, rtol):
            return f"your answer is {words} the expected one (a factor of {factor:g} is off)"
    if float(a).is_integer() and float(e).is_integer() and abs(a - e) == 1:
        return f"off by one: your answer is one {'too large' if a > e else 'too small'}"
    return f"not quite: your answer is too {'large' if a > e else 'small'}"


def _as_tensor(v) -> torch.Tensor | None:
    if isinstance(v, torch.Tensor):
        return v.detach().cpu()
    if isinstance(v, np.ndarray):
        return torch.from_numpy(v)
    return None


def _same(answer, expected, atol: float, rtol: float) -> tuple[bool, str]:
    """(True, "") if answer matches expected within the tolerance, else (False, a hint that keeps the answer)."""
    e_num, a_num = _number(expected), _number(answer)
    if e_num is not None:
        if a_num is None:
            return False, f"expected a single number, got {type(answer).__name__}"
        ok = _close(a_num, e_num, atol, rtol)
        return ok, "" if ok else _number_hint(a_num, e_num, atol, rtol)
    e_t = _as_tensor(expected)
    if e_t is not None:
        a_t = _as_tensor(answer)
        if a_t is None:
            return False, f"expected a tensor (of {e_t.ndim} dimensions), got {type(answer).__name__}"
        if a_t.shape != e_t.shape:
            return False, (f"the shape is off: yours is {tuple(a_t.shape)}" + (
                f", with {a_t.ndim} dimensions where {e_t.ndim} are expected" if a_t.ndim != e_t.ndim else ""))
        a64, e64 = a_t.to(torch.float64), e_t.to(torch.float64)
        if torch.allclose(a64, e64, atol=atol, rtol=rtol):
            return True, ""
        if torch.allclose(-a64, e64, atol=atol, rtol=rtol):
            return False, "the shape is right; the signs are flipped"
        if torch.allclose(a64.flip(tuple(range(a64.ndim))), e64, atol=atol, rtol=rtol):
            return False, "the shape is right; the values are in reverse order (flipped)"
        if a64.ndim == 2 and a64.shape[0] == a64.shape[1] and torch.allclose(a64.T, e64, atol=atol, rtol=rtol):
            return False, "the shape is right; the result is transposed"
        wrong = (~torch.isclose(a64, e64, atol=atol, rtol=rtol)).sum().item()
        return False, f"the shape is right; {wrong} of {e64.numel()} values are off"
    if isinstance(expected, (tuple, list, torch.Size)):
        if isinstance(answer, torch.Size):
            answer = tuple(answer)
        if not isinstance(answer, (tuple, list)):
            return False, f"expected a tuple of {len(expected)} values, got {type(answer).__name__}"
        if len(answer) != len(expected):
            return False, f"expected {len(expected)} values, got {len(answer)}"
        for k, (a, e) in enumerate(zip(answer, expected, strict=True)):
            ok, why = _same(a, e, atol, rtol)
            if not ok:
                return False, f"value {k + 1} of {len(expected)} is off ({why})"
        return True, ""
    ok = answer == expected
    return ok, "" if ok else "not quite (compare with the text above the exercise)"


def check(name: str, answer, expected, atol: float = 1e-6, rtol: float = 1e-5, hint: str | None = None) -> None:
    """Print ✅ for a right answer, raise CheckFailed with a hint for a wrong one; None means not tried yet."""
    if answer is None:
        _not_yet(name, hint)
        return
    ok, why = _same(answer, expected, atol, rtol)
    if not ok:
        extra = f" Hint: {hint}" if hint else ""
        raise CheckFailed(f"❌ {name}: {why}.{extra} {SOLUTION}")
    print(f"✅ {name}: correct.")


def check_function(
    name: str,
    fn: Callable | None,
    reference: Callable,
    cases: Sequence[tuple],
    atol: float = 1e-5,
    rtol: float = 1e-4,
    hint: str | None = None,
) -> None:
    """Call `fn(*case)` and `reference(*case)` for every case and compare (print ✅ or raise); None = not yet."""
    if fn is None:
        _not_yet(name, hint)
        return
    if not cases:
        raise ValueError("check_function needs at least one test case.")
    for k, case in enumerate(cases):
        expected = reference(*case)
        shapes = [tuple(c.shape) if isinstance(c, torch.Tensor) else c for c in case]
        try:
            got = fn(*case)
        except Exception as err:  # the learner's code failed: say on which input
            raise CheckFailed(f"❌ {name}: raised {type(err).__name__}: {err} on case {k} (inputs {shapes}).") from err
        ok, why = _same(got, expected, atol, rtol)
        if not ok:
            raise CheckFailed(f"❌ {name}: case {k} (inputs {shapes}): {why}.")
    print(f"✅ {name}: correct on all {len(cases)} cases.")
