"""Look inside networks: output-size arithmetic, layer tables (via torchinfo), parameters and FLOPs."""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

Pair = int | tuple[int, int]


def _pair(v: Pair, name: str) -> tuple[int, int]:
    if isinstance(v, int) and not isinstance(v, bool):
        return (v, v)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return (int(v[0]), int(v[1]))
    raise TypeError(f"{name} must be an int or a pair of ints (h, w); got {v!r}.")


def _int_at_least(name: str, v: object, low: int) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {v!r}.")
    return v


def conv_output_size(
    n: int, kernel_size: int, padding: int = 0, stride: int = 1, dilation: int = 1, ceil_mode: bool = False,
    pooling: bool = False,
) -> int:
    """One dimension: floor((n + 2p - d(k-1) - 1) / s) + 1 (ceil with `ceil_mode`; pooling rules as in PyTorch)."""
    for name, v, low in (("n", n, 1), ("kernel_size", kernel_size, 1), ("padding", padding, 0),
                         ("stride", stride, 1), ("dilation", dilation, 1)):
        _int_at_least(name, v, low)
    pooling = pooling or ceil_mode  # only pooling layers have ceil_mode
    if pooling and 2 * padding > kernel_size:
        raise ValueError(
            f"pooling allows padding <= kernel_size // 2 = {kernel_size // 2} (as in PyTorch); got padding={padding} "
            f"with kernel_size={kernel_size}."
        )
    span, padded = dilation * (kernel_size - 1) + 1, n + 2 * padding
    if ceil_mode:
        if padded + stride - 1 < span:
            raise ValueError(
                f"the window's span {span} (kernel_size={kernel_size}, dilation={dilation}) is larger than the padded "
                f"input {padded} (n={n}, padding={padding}) by {span - padded}; with ceil_mode it may overhang by at "
                f"most stride - 1 = {stride - 1} (stride={stride}): no output position fits."
            )
        out = (padded - span + stride - 1) // stride + 1
        if (out - 1) * stride >= n + padding:
            out -= 1  # PyTorch: the last window must start inside the input or the left padding, never the right
        return out
    if padded < span:
        raise ValueError(
            f"the kernel's span {span} (kernel_size={kernel_size}, dilation={dilation}) is larger than the "
            f"padded input {padded} (n={n}, padding={padding}): no output position fits."
        )
    return (padded - span) // stride + 1


def conv_output_shape(
    size: Pair, kernel_size: Pair, padding: Pair | str = 0, stride: Pair = 1, dilation: Pair = 1,
    ceil_mode: bool = False, pooling: bool = False,
) -> tuple[int, int]:
    """(H, W) out of a 2-D convolution or pooling; ints or (h, w) pairs, conv padding may be 'valid' or 'same'."""
    (h, w), (kh, kw) = _pair(size, "size"), _pair(kernel_size, "kernel_size")
    (sh, sw), (dh, dw) = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be an int, an (h, w) pair, 'valid' or 'same'; got {padding!r}.")
        if pooling or ceil_mode:
            raise ValueError(f"pooling takes integer padding, not {padding!r} (as in PyTorch).")
        if padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError(f"padding='same' needs stride 1 (as in PyTorch); got stride {(sh, sw)}.")
            for name, v, low in (("size", h, 1), ("size", w, 1), ("kernel_size", kh, 1), ("kernel_size", kw, 1),
                                 ("dilation", dh, 1), ("dilation", dw, 1)):
                _int_at_least(name, v, low)
            return (h, w)
        padding = 0
    ph, pw = _pair(padding, "padding")
    return (conv_output_size(h, kh, ph, sh, dh, ceil_mode, pooling),
            conv_output_size(w, kw, pw, sw, dw, ceil_mode, pooling))


def transposed_output_size(
    n: int, kernel_size: int, padding: int = 0, stride: int = 1, dilation: int = 1, output_padding: int = 0
) -> int:
    """One dimension of ConvTranspose: (n - 1)s - 2p + d(k - 1) + output_padding + 1, which PyTorch needs >= 1."""
    for name, v, low in (("n", n, 1), ("kernel_size", kernel_size, 1), ("padding", padding, 0),
                         ("stride", stride, 1), ("dilation", dilation, 1), ("output_padding", output_padding, 0)):
        _int_at_least(name, v, low)
    if output_padding >= max(stride, dilation):
        raise ValueError(f"output_padding must be smaller than stride or dilation (as in PyTorch); got "
                         f"output_padding={output_padding} with stride={stride}, dilation={dilation}.")
    out = (n - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if out < 1:
        raise ValueError(
            f"output size is too small: (n - 1)s - 2p + d(k - 1) + output_padding + 1 = {out} < 1 for n={n}, "
            f"kernel_size={kernel_size}, padding={padding}, stride={stride}, dilation={dilation}, "
            f"output_padding={output_padding} (PyTorch refuses it; use less padding)."
        )
    return out


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (elements), optionally only those with requires_grad."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _example(model: nn.Module, input_size: tuple[int, ...]) -> torch.Tensor:
    if not all(isinstance(d, int) and d > 0 for d in input_size):
        raise ValueError(f"input_size must be a tuple of positive ints like (1, 1, 28, 28); got {input_size!r}.")
    p = next(iter(model.parameters()), None)
    return torch.zeros(input_size, device=p.device if p is not None else "cpu")


def count_flops(model: nn.Module, input_size: tuple[int, ...]) -> int:
    """FLOPs of one forward pass on zeros of `input_size`, counted by torch.utils.flop_counter (2 per multiply-add)."""
    x = _example(model, input_size)
    counter = FlopCounterMode(display=False)
    was_training = model.training
    model.eval()
    with torch.no_grad(), counter:
        model(x)
    model.train(was_training)
    return counter.get_total_flops()


def _qualified_name(info) -> str:
    """'Conv2d (rblock1.conv1)': the layer's class and its attribute path inside the model."""
    class_name, names = info.class_name, []
    while info is not None and info.depth >= 1:
        names.append(info.var_name)
        info = info.parent_info
    return f"{class_name} ({'.'.join(reversed(names))})" if names else class_name


def layer_table(model: nn.Module, input_size: tuple[int, ...], depth: int = 3) -> pd.DataFrame:
    """One row per layer down to `depth` (torchinfo): name, input/output shapes, parameters, multiply-adds."""
    import torchinfo

    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth counts module levels below the model and must be an int >= 1; got {depth!r}.")
    _example(model, input_size)  # validates input_size with a clear message
    # The model's own device: left to itself, torchinfo would move a CPU model to a GPU when there is one.
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    try:
        stats = torchinfo.summary(model, input_size=input_size, verbose=0, device=device)
    except RuntimeError as err:  # torchinfo wraps PyTorch's error ("see above stack traces"): quote PyTorch's
        cause = err.__cause__ if err.__cause__ is not None else err
        raise ValueError(
            f"the model could not run on an input of shape {tuple(input_size)}: {str(cause).splitlines()[-1]}"
        ) from err
    rows = []
    for info in stats.summary_list:  # parents before their children; the model itself is row 0, at depth 0
        if info.depth > depth:  # inside the block of the last row: add its work to that row
            rows[-1]["mult_adds"] += int(info.macs) if info.is_leaf_layer else 0
            continue
        if info.is_leaf_layer or info.depth == depth:  # a layer, or a block shown as one row
            rows.append({
                "layer": _qualified_name(info),
                "input": tuple(info.input_size),
                "output": tuple(info.output_size),
                "params": int(info.num_params),
                "mult_adds": int(info.macs) if info.is_leaf_layer else 0,
            })
    return pd.DataFrame(rows)


def trace_shapes(model: nn.Module, input_size: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """Output shape after each top-level child of `model` (e.g. the stages of a Sequential)."""
    x = _example(model, input_size)
    shapes = []
    with torch.no_grad():
        for name, child in model.named_children():
            try:
                x = child(x)
            except RuntimeError as err:
                raise ValueError(
                    f"{name} ({type(child).__name__}) failed on an input of shape {tuple(x.shape)}: "
                    f"{str(err).splitlines()[-1]}"
                ) from err
            shapes.append((name, tuple(x.shape)))
    return shapes
