"""helpers.validate: the messages every explorer and experiment shows for a wrong argument."""

import re

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


def test_choice_and_function_say_what_came_in():
    with pytest.raises(ValueError, match=r"^method must be one of \['a', 'b'\]; got 'c'\.$"):
        validate.choice("method", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"^corr2d must be a function \(the one the notebook defines\); got 3\.$"):
        validate.function("corr2d", 3)


def test_grey_image_takes_only_the_single_image_of_a_batch_of_one():
    image = torch.arange(6.0).reshape(2, 3)
    for wrapped in (image, image[None], image[None, None]):
        assert torch.equal(validate.grey_image("X", wrapped), image)
    for bad in (torch.zeros(2, 1, 2, 3), torch.zeros(1, 2, 2, 3), torch.zeros(1, 1, 1, 2, 3), torch.zeros(2, 2, 3)):
        with pytest.raises(ValueError, match=r"^X must be a grey image .*got " + re.escape(validate.describe(bad))):
            validate.grey_image("X", bad)
    batch = torch.stack([image, image + 10])[:, None]  # (2, 1, 2, 3): two images, not one
    with pytest.raises(ValueError, match="got a tensor of shape"):
        validate.grey_image("X", batch)


def test_image_batch_names_the_shape_it_wants():
    with pytest.raises(ValueError, match=r"^x must be a batch of images of shape \(N, C, H, W\); got a tensor"):
        validate.image_batch("x", torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"^x must be a batch of images of shape \(N, 1, H, W\); got a tensor"):
        validate.image_batch("x", torch.zeros(2, 3, 4, 4), channels=1)
    ok = torch.zeros(2, 3, 4, 4)
    assert validate.image_batch("x", ok) is ok and validate.image_batch("x", ok, channels=3) is ok
