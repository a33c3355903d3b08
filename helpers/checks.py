"""Exercise checkers: print a clear verdict, and raise on a wrong answer so nbval sees it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


class CheckFailed(AssertionError):
    """A learner's answer does not match; the message says what was expected and what came in."""


NOT_ATTEMPTED = "⏳ {name}: not attempted yet. Replace the `None` above with your answer and run the cell again."


def _describe(v) -> str:
    if isinstance(v, torch.Tensor):
        body = str(v.detach().cpu().tolist()) if v.numel() <= 16 else f"{v.numel()} values"
        return f"tensor of shape {tuple(v.shape)}: {body}"
    return repr(v)


def _same(answer, expected, atol: float, rtol: float) -> tuple[bool, str]:
    if isinstance(expected, torch.Tensor):
        if not isinstance(answer, torch.Tensor):
            return False, f"expected a tensor of shape {tuple(expected.shape)}, got {type(answer).__name__}"
        if answer.shape != expected.shape:
            return False, f"expected shape {tuple(expected.shape)}, got shape {tuple(answer.shape)}"
        ok = torch.allclose(answer.detach().cpu().to(torch.float64), expected.detach().cpu().to(torch.float64),
                            atol=atol, rtol=rtol)
        return ok, "" if ok else f"values differ: expected {_describe(expected)}, got {_describe(answer)}"
    if isinstance(expected, (tuple, list, torch.Size)):
        if isinstance(answer, torch.Size):
            answer = tuple(answer)
        if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
            return False, f"expected {tuple(expected)!r}, got {answer!r}"
        for a, e in zip(answer, expected, strict=True):
            ok, why = _same(a, e, atol, rtol)
            if not ok:
                return False, f"expected {tuple(expected)!r}, got {tuple(answer)!r}"
        return True, ""
    if isinstance(expected, float) and isinstance(answer, (int, float)):
        ok = abs(answer - expected) <= atol + rtol * abs(expected)
        return ok, "" if ok else f"expected {expected!r} (within {atol:g}), got {answer!r}"
    ok = answer == expected
    return ok, "" if ok else f"expected {expected!r}, got {answer!r}"


def check(name: str, answer, expected, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Compare a learner's answer with the expected one: print ✅, or raise CheckFailed; None = not tried yet."""
    if answer is None:
        print(NOT_ATTEMPTED.format(name=name))
        return
    ok, why = _same(answer, expected, atol, rtol)
    if not ok:
        raise CheckFailed(f"❌ {name}: {why}.")
    print(f"✅ {name}: correct.")


def check_function(
    name: str,
    fn: Callable | None,
    reference: Callable,
    cases: Sequence[tuple],
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """Call `fn(*case)` and `reference(*case)` for every case and compare (print ✅ or raise); None = not tried."""
    if fn is None:
        print(NOT_ATTEMPTED.format(name=name))
        return
    if not cases:
        raise ValueError("check_function needs at least one test case.")
    for k, case in enumerate(cases):
        expected = reference(*case)
        try:
            got = fn(*case)
        except Exception as err:  # the learner's code failed: say on which input
            shapes = [tuple(c.shape) if isinstance(c, torch.Tensor) else c for c in case]
            raise CheckFailed(f"❌ {name}: raised {type(err).__name__}: {err} on case {k} (inputs {shapes}).") from err
        ok, why = _same(got, expected, atol, rtol)
        if not ok:
            shapes = [tuple(c.shape) if isinstance(c, torch.Tensor) else c for c in case]
            raise CheckFailed(f"❌ {name}: case {k} (inputs {shapes}): {why}.")
    print(f"✅ {name}: correct on all {len(cases)} cases.")
