import re
from pathlib import Path

import pytest
import torch
from torch import nn

from helpers import shipped
from helpers.training import History


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVNETS_TRAINED", str(tmp_path))
    return tmp_path


def write(monkeypatch, *args, **kwargs):
    monkeypatch.setenv("CONVNETS_SHIP", "write")
    shipped.ship(*args, **kwargs)


def test_write_then_load_gives_back_weights_histories_and_metrics(folder, monkeypatch, capsys):
    net = nn.Linear(3, 2)
    history = History(epoch=[1], val_acc=[0.5], seconds=1.5)
    write(monkeypatch, "06_demo", {"val_acc": 0.5}, 0.01, model=net.state_dict(), history=history, curves=[[1.0, 2.0]])
    assert (folder / "06_demo.pt").is_file() and capsys.readouterr().out == ""
    back = shipped.load("06_demo")
    torch.testing.assert_close(back["model"]["weight"], net.weight.detach())
    assert back["history"] == history and back["curves"] == [[1.0, 2.0]] and back["metrics"] == {"val_acc": 0.5}
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict(back["model"])  # a state dict goes straight back into a model


def test_check_mode_accepts_a_run_within_tolerance_and_refuses_a_stale_file(folder, monkeypatch):
    write(monkeypatch, "07_demo", {"acc": 0.90}, 0.01, w=torch.zeros(2, 3))
    monkeypatch.setenv("CONVNETS_SHIP", "check")
    shipped.ship("07_demo", {"acc": 0.905}, 0.01, w=torch.ones(2, 3))  # values may differ, structure may not
    with pytest.raises(shipped.ShippedError, match=r"stale: acc is 0.93 in this run and 0.9 in the shipped file "
                                                   r"\(tolerance 0.01\): rebuild it with `make notebooks NB=07`"):
        shipped.ship("07_demo", {"acc": 0.93}, 0.01, w=torch.ones(2, 3))
    with pytest.raises(shipped.ShippedError, match="structure"):
        shipped.ship("07_demo", {"acc": 0.90}, 0.01, w=torch.ones(3, 3))
    with pytest.raises(shipped.ShippedError, match="structure"):
        shipped.ship("07_demo", {"acc": 0.90}, 0.01, v=torch.ones(2, 3))
    with pytest.raises(shipped.ShippedError, match=r"holds the metrics \['acc'\], this run measured \['loss'\]"):
        shipped.ship("07_demo", {"loss": 0.90}, 0.01, w=torch.ones(2, 3))


def test_a_learners_kernel_neither_writes_nor_checks(folder, monkeypatch):
    monkeypatch.delenv("CONVNETS_SHIP", raising=False)
    shipped.ship("08_demo", {"acc": 0.1}, 0.01, w=torch.ones(1))
    assert not (folder / "08_demo.pt").exists()


def test_missing_file_and_bad_input_say_what_to_do(folder, monkeypatch):
    monkeypatch.setenv("CONVNETS_SHIP", "check")
    with pytest.raises(shipped.ShippedError, match=r"09_none.pt is missing: .*make notebooks NB=09"):
        shipped.ship("09_none", {"acc": 0.1}, 0.01)
    with pytest.raises(shipped.ShippedError, match="missing"):
        shipped.load("09_none")
    with pytest.raises(ValueError, match="payload\\['model'\\] must be made of tensors.*got Linear"):
        shipped.ship("09_x", {"acc": 0.1}, 0.01, model=nn.Linear(1, 1))
    with pytest.raises(ValueError, match="metrics must name at least one number"):
        shipped.ship("09_x", {}, 0.01)
    with pytest.raises(ValueError, match=r"metrics\['acc'\] must be a number; got 'high'"):
        shipped.ship("09_x", {"acc": "high"}, 0.01)
    with pytest.raises(ValueError, match="tolerance must be in"):
        shipped.ship("09_x", {"acc": 0.1}, -1)
    with pytest.raises(ValueError, match="plain file name"):
        shipped.path("../etc")


def test_fast_path_prints_where_the_results_come_from(folder, monkeypatch, capsys):
    write(monkeypatch, "06_demo", {"val_acc": 0.99}, 0.01, w=torch.ones(1))
    out = shipped.fast_path("06_demo", "notebook 06 (4 epochs)", "notebook 06, section 4")
    assert out["metrics"] == {"val_acc": 0.99}
    assert capsys.readouterr().out == ("fast path: loaded what notebook 06 (4 epochs) trained (shipped in "
                                       "helpers/trained/06_demo.pt); the full run: notebook 06, section 4\n")


def test_every_shipped_file_loads_and_names_its_metrics():
    files = sorted(shipped.TRAINED.glob("*.pt"))
    sources = Path(__file__).resolve().parents[1] / "sources"
    made = {m for f in sources.glob("*.py") for m in re.findall(r'shipped\.ship\("([^"]+)"', f.read_text("utf-8"))}
    loaded = {m for f in (sources / "slides").glob("*.py")
              for m in re.findall(r'fast_path\("([^"]+)"', f.read_text("utf-8"))}
    assert {f.stem for f in files} == made == loaded  # every file made by a chapter and loaded by a deck; no orphans
    for f in files:
        record = shipped.load(f.stem)
        assert record["metrics"] and all(isinstance(v, float) for v in record["metrics"].values()), f.name
