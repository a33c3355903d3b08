"""helpers.validate: the messages every explorer and experiment shows for a wrong argument."""

import numpy as np
import pytest
import torch

from helpers import validate


def test_describe_says_what_came_in():
    assert validate.describe(torch.zeros(2, 3, dtype=torch.int64)) == "a tensor of shape (2, 3) (int64)"
    assert validate.describe([1, 2]) == "[1, 2]" and validate.describe("x") == "'x'"
    assert validate.describe({1: 2}) == "dict" and validate.describe(None) == "NoneType"


def test_number_names_what_it_got():
    with pytest.raises(ValueError, match=r"^lr must be a number; got '0.1'\.$"):
        validate.number("lr", "0.1")


def test_pair_checks_each_side_with_its_own_name():
    assert validate.pair("kernel", 3) == (3, 3) and validate.pair("kernel", (2, 5)) == (2, 5)
    assert validate.pair("padding", 0, low=0) == (0, 0) and validate.pair("padding", (0, 1), low=0) == (0, 1)
    assert validate.pair("kernel", 1) == (1, 1)  # the default lowest value is 1
    with pytest.raises(ValueError, match=r"^kernel must be an integer >= 1; got 0\.$"):
        validate.pair("kernel", 0)
    with pytest.raises(ValueError, match=r"^kernel must be an integer >= 1; got '3'\.$"):
        validate.pair("kernel", "3")
    with pytest.raises(ValueError, match=r"^kernel\[0\] must be an integer >= 1; got 0\.$"):
        validate.pair("kernel", (0, 1))
    with pytest.raises(ValueError, match=r"^kernel\[1\] must be an integer >= 1; got 0\.$"):
        validate.pair("kernel", (1, 0))
    with pytest.raises(ValueError, match=r"^kernel must be an int or a pair \(h, w\) of ints; got \(1, 2, 3\)\.$"):
        validate.pair("kernel", (1, 2, 3))


def test_fraction_bounds_open_and_closed():
    assert validate.fraction("p", 1) == 1.0 and validate.fraction("p", np.float32(0.5)) == 0.5
    assert validate.fraction("p", 0.0, open_low=False) == 0.0 and validate.fraction("p", 1.0, open_low=False) == 1.0
    with pytest.raises(ValueError, match=r"^p must be in \(0.0, 1.0\]; got 0.0\.$"):
        validate.fraction("p", 0.0)
    with pytest.raises(ValueError, match=r"^p must be in \[0.0, 1.0\]; got 1.5\.$"):
        validate.fraction("p", 1.5, open_low=False)
    with pytest.raises(ValueError, match=r"^p must be a number in \(0.0, 1.0\]; got True\.$"):
        validate.fraction("p", True)
    with pytest.raises(ValueError, match=r"^p must be a number in \[0.0, 1.0\]; got '0.5'\.$"):
        validate.fraction("p", "0.5", open_low=False)


def test_pair_uses_the_lowest_value_for_both_sides():
    assert validate.pair("padding", (1, 0), low=0) == (1, 0)  # 0 is allowed on the second side too
