import pickle

import pytest
import torch
from torch import nn

from helpers import checkpoints, data


def test_save_and_load_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    model = nn.Linear(3, 2)
    assert not checkpoints.load_weights(nn.Linear(3, 2), "tiny")
    path = checkpoints.save_weights(model, "tiny")
    assert path == tmp_path / "weights" / "tiny.pt"
    fresh = nn.Linear(3, 2)
    assert checkpoints.load_weights(fresh, "tiny")
    torch.testing.assert_close(fresh.weight, model.weight)
    with pytest.raises(ValueError, match="does not fit this model"):
        checkpoints.load_weights(nn.Linear(4, 2), "tiny")
    with pytest.raises(ValueError, match="plain file stem"):
        checkpoints.weights_path("../x")


class Payload:
    """Any class: a pickle of it could run code when loaded."""


def test_a_weights_file_that_carries_a_pickled_object_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    path = checkpoints.weights_path("evil")
    path.parent.mkdir(parents=True)
    torch.save({"weight": torch.zeros(2, 3), "bias": torch.zeros(2), "payload": Payload()}, path)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        checkpoints.load_weights(nn.Linear(3, 2), "evil")


@pytest.mark.parametrize("name", ["", "a/b", ".hidden", "../x"])
def test_only_plain_file_stems_name_weights(name):
    with pytest.raises(ValueError, match="a weights name is a plain file stem"):
        checkpoints.weights_path(name)


def test_saving_creates_the_folders_overwrites_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    root = tmp_path / "not" / "yet"
    monkeypatch.setenv(data.DATA_ENV, str(root))
    first = nn.Linear(3, 2)
    checkpoints.save_weights(first, "tiny")
    second = nn.Linear(3, 2)
    checkpoints.save_weights(second, "tiny")  # the same name again: replaced
    assert sorted(p.name for p in (root / "weights").iterdir()) == ["tiny.pt"]
    fresh = nn.Linear(3, 2)
    assert checkpoints.load_weights(fresh, "tiny")
    torch.testing.assert_close(fresh.weight, second.weight)


def test_a_mismatch_quotes_pytorchs_first_line(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    checkpoints.save_weights(nn.Linear(3, 2), "tiny")
    with pytest.raises(ValueError, match=r"Delete it to retrain\. Error\(s\) in loading state_dict for Linear"):
        checkpoints.load_weights(nn.Linear(4, 2), "tiny")
