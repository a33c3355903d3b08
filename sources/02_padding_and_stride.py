# %% [markdown]
# # 02 · Padding and stride: controlling the output size
#
# **What you will learn**
#
# 1. Why every unpadded layer shrinks the image, and how a ring of *padding* keeps the size.
# 2. How a *stride* skips positions and shrinks the output on purpose.
# 3. The one formula for the output size, $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$, checked against PyTorch
#    on hundreds of configurations, and the wrong versions of it that circulate in notes.
# 4. Non-square kernels, strides and paddings; `padding='same'`; the four padding modes on a real photo.
# 5. *Dilation*: a kernel with gaps, how it grows the receptive field for free, and the holes it can leave.
#
# As in the cross-correlation notebook, every number the text states is computed in a cell and checked in the
# folded "Checks for this section" cell at the end of each section (you can skip those cells).

# %%
import itertools
import math
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import checks, data, plotting
from helpers.inspect import conv_output_shape, conv_output_size, count_flops
from helpers.widgets.arithmetic import ConvArithmetic

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown]
# ## 1. The problem: every layer trims the border
#
# The cross-correlation notebook ended with a warning: a $k \times k$ kernel fits in only $n - k + 1$ positions along a
# side of length $n$, so a 3×3 layer trims one pixel from every border. Stack ten of them on a 32×32 image:

# %%
sizes = [32]
for _ in range(10):
    sizes.append(sizes[-1] - 3 + 1)
print(" → ".join(map(str, sizes)))

ten_layers = nn.Sequential(*[nn.Conv2d(1, 1, kernel_size=3) for _ in range(10)])
print("ten 3×3 layers on a 32×32 input:", tuple(ten_layers(torch.zeros(1, 1, 32, 32)).shape))

# %% [markdown]
# After ten layers, 12×12 is left of 32×32: 86% of the pixels are gone, and the border pixels were used far less
# often than the centre ones along the way. Two knobs control this:
#
# * **padding** adds a ring of extra values (usually zeros) around the input, so the kernel has room at the edges;
# * **stride** moves the window by more than one pixel per step, shrinking the output *on purpose*.

# %%
# Checks for this section (you can skip this cell)
assert ten_layers(torch.zeros(1, 1, 32, 32)).shape == (1, 1, 12, 12) and sizes[-1] == 12

# %% [markdown]
# ## 2. Padding
#
# With $p$ rows of padding at the top and bottom (and $p$ columns left and right), the input side becomes
# $n + 2p$ and the output side $n + 2p - k + 1$. To keep the size, choose $2p = k - 1$, that is $p = (k-1)/2$:
# padding 1 for a 3×3 kernel, padding 2 for a 5×5 kernel. This is one reason CNN kernels are almost always odd.
#
# Here is padding written by hand, next to PyTorch's `F.pad`:

# %%
def pad2d(X: torch.Tensor, ph: int, pw: int) -> torch.Tensor:
    """Surround a matrix with ph rows of zeros above and below and pw columns left and right."""
    out = torch.zeros(X.shape[0] + 2 * ph, X.shape[1] + 2 * pw)
    out[ph:ph + X.shape[0], pw:pw + X.shape[1]] = X
    return out


small = torch.arange(1.0, 7.0).reshape(2, 3)
print(pad2d(small, 1, 2))
torch.testing.assert_close(pad2d(small, 1, 2), F.pad(small, (2, 2, 1, 1)))  # F.pad: (left, right, top, bottom)

# %%
X8 = torch.rand(1, 1, 8, 8)
for k in (1, 3, 5, 7):
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=(k - 1) // 2)
    assert conv(X8).shape == (1, 1, 8, 8), k
print("8×8 in, 8×8 out for kernels 1, 3, 5, 7 with padding (k-1)/2 = 0, 1, 2, 3")

# %% [markdown]
# ## 3. Stride
#
# With stride $s$ the window jumps $s$ pixels at a time, right and then down. Along one side the window's first
# position is 0 and its last start must leave room for the kernel, at most $n + 2p - k$. The starts are
# $0, s, 2s, \dots$, so there are $\lfloor (n + 2p - k)/s \rfloor + 1$ of them. In other words, a strided output is
# the stride-1 output with only every $s$-th row and column kept. So the cross-correlation notebook's loop `corr2d`
# (saved in `helpers.lessons`) gets its two new arguments without a new loop: pad, correlate, keep every $s$-th.
# (Libraries never compute the windows they would drop; we do, to keep the code short.)

# %%
from helpers.lessons import corr2d as corr2d_valid  # the cross-correlation notebook's loops, no padding, stride 1


def corr2d(X: torch.Tensor, K: torch.Tensor, padding: tuple[int, int] = (0, 0),
           stride: tuple[int, int] = (1, 1)) -> torch.Tensor:
    """2-D cross-correlation with zero padding and a stride (all pairs are (rows, cols))."""
    (ph, pw), (sh, sw) = padding, stride
    return corr2d_valid(pad2d(X, ph, pw), K)[::sh, ::sw]  # every window start, then every s-th one


# checked against PyTorch on several shapes, paddings and strides, square and not
for shape, kshape, p, s in [((5, 5), (3, 3), (1, 1), (2, 2)), ((7, 9), (2, 3), (0, 1), (1, 2)),
                            ((10, 6), (5, 3), (2, 1), (3, 1)), ((8, 8), (1, 1), (0, 0), (2, 3)),
                            ((9, 11), (4, 2), (3, 0), (2, 2))]:
    A, B = torch.randn(shape), torch.randn(kshape)
    torch.testing.assert_close(corr2d(A, B, p, s), F.conv2d(A[None, None], B[None, None], padding=p, stride=s)[0, 0])
print("corr2d with padding and stride == F.conv2d on 5 configurations")

# %% [markdown]
# ### A worked example
#
# A 5×5 input, the kernel 1…9, padding 1. The first output value sees the top-left corner: the kernel's first row
# and column sit on padding zeros, so only $5·3 + 6·4 + 8·2 + 9·4 = 91$ counts.

# %%
X5 = torch.tensor([[3.0, 4, 6, 5, 7],
                   [2, 4, 6, 8, 2],
                   [1, 6, 7, 8, 4],
                   [9, 7, 4, 6, 2],
                   [3, 7, 5, 4, 1]])
K9 = torch.arange(1.0, 10.0).reshape(3, 3)
Y_pad1 = corr2d(X5, K9, padding=(1, 1))
Y_pad1

# %%
assert 5 * 3 + 6 * 4 + 8 * 2 + 9 * 4 == Y_pad1[0, 0] == 91
# the same with a PyTorch layer whose weight we set by hand (shape (out, in, kh, kw) = (1, 1, 3, 3))
layer = nn.Conv2d(1, 1, kernel_size=3, padding=1, bias=False)
with torch.no_grad():
    layer.weight.copy_(K9[None, None])
torch.testing.assert_close(layer(X5[None, None])[0, 0].detach(), Y_pad1)

# %% [markdown]
# Now stride 2: the window visits rows 0, 2, 4 and columns 0, 2, 4 of the padded 7×7 grid, a 3×3 output.

# %%
Y_pad1_s2 = corr2d(X5, K9, padding=(1, 1), stride=(2, 2))
Y_pad1_s2

# %%
# stride 2 computes every other value of the stride-1 output, no more, no less
assert torch.equal(Y_pad1_s2, Y_pad1[::2, ::2])
torch.testing.assert_close(F.conv2d(X5[None, None], K9[None, None], padding=1, stride=2)[0, 0], Y_pad1_s2)

# %% [markdown]
# The picture: the padded input (padding in grey, dashed line around the real input), the kernel, and the
# stride-2 output, with the window of output cell (1, 2) in red.

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), gridspec_kw={"width_ratios": [7, 3, 3]})
plotting.draw_grid(axes[0], pad2d(X5, 1, 1), (2, 4, 3, 3), "padded input (p = 1)", padding=1)
plotting.draw_grid(axes[1], K9, None, "kernel", cmap="Oranges")
plotting.draw_grid(axes[2], Y_pad1_s2, (1, 2, 1, 1), "output, stride 2", cmap="Greens")
fig.tight_layout()

# %% [markdown]
# Stride halves the 8×8 input from before, with the same "keep the size" padding:

# %%
conv_s2 = nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2)
print(tuple(conv_s2(X8).shape[2:]))

# %%
# Checks for this section (you can skip this cell)
assert Y_pad1.tolist() == [[91, 168, 224, 215, 127], [114, 211, 295, 262, 149], [192, 259, 282, 214, 122],
                           [194, 251, 253, 169, 86], [96, 112, 110, 68, 31]]
assert Y_pad1_s2.tolist() == [[91, 224, 127], [192, 282, 122], [96, 110, 31]]
# output cell (1, 2) is the window whose top-left corner is at padded row 1*2, column 2*2
assert (pad2d(X5, 1, 1)[2:5, 4:7] * K9).sum() == Y_pad1_s2[1, 2] == 122
assert conv_s2(X8).shape[2:] == (4, 4)

# %% [markdown]
# ## 4. The formula, and PyTorch's agreement with it
#
# One more knob, *dilation* $d$ (section 7), spreads the kernel's $k$ taps $d$ pixels apart, so the kernel spans
# $d(k-1) + 1$ pixels. Replace $k$ by that span and you have the formula from PyTorch's documentation:
#
# $$n_\text{out} = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1$$
#
# applied to the height and the width separately. `helpers.inspect.conv_output_size` evaluates it (one side) and
# `conv_output_shape` does both sides. Let us check it against PyTorch itself, over every combination of small
# sizes, kernels, paddings, strides and dilations (a config where no window fits must be refused by both):

# %%
agree = refused = 0
for n, k, p, s, d in itertools.product(range(1, 11), range(1, 6), range(3), range(1, 4), range(1, 3)):
    try:
        torch_n = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), padding=p, stride=s,
                           dilation=d).shape[-1]
    except RuntimeError:
        torch_n = None
    try:
        ours = conv_output_size(n, k, p, s, d)
    except ValueError:
        ours = None
    assert ours == torch_n, (n, k, p, s, d, ours, torch_n)
    agree += ours is not None
    refused += ours is None
print(f"{agree} configurations agree with F.conv2d; {refused} are refused by both (kernel larger than input)")

# %% [markdown]
# ### The shapes from the learner notes
#
# Three shapes that appear in course notes, computed with the formula *and* with PyTorch:
#
# * an MNIST-sized `torch.rand(1, 1, 28, 28)` through `nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)`;
# * `F.conv2d` with a weight of 16 kernels of 3×5×5 on a (1, 3, 28, 28) input, with padding 1 and stride 1;
# * the same with padding 2 and stride 2.

# %%
torch.manual_seed(0)
x28 = torch.rand(1, 1, 28, 28)
out_a = nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)(x28)
w16, b16, x3 = torch.rand(16, 3, 5, 5), torch.rand(16), torch.randn(1, 3, 28, 28)
out_b = F.conv2d(x3, w16, b16, stride=1, padding=1)
out_c = F.conv2d(x3, w16, b16, stride=2, padding=2)
print(tuple(out_a.shape), tuple(out_b.shape), tuple(out_c.shape))

# %%
assert out_a.shape == (1, 3, 14, 14) and conv_output_size(28, 3, 1, 2) == 14
assert out_b.shape == (1, 16, 26, 26) and conv_output_size(28, 5, 1, 1) == 26
assert out_c.shape == (1, 16, 14, 14) and conv_output_size(28, 5, 2, 2) == 14
# the first two axes: batch size stays 1; the channel count is the number of kernels (3, then 16)

# %% [markdown]
# ### Explorer: convolution arithmetic
#
# The picture style is that of the classic *convolution arithmetic* figures (Dumoulin & Visin): the input in blue,
# the padding ring dashed, the kernel's taps in dark blue (grey where they land on padding), its span in red, and
# the output in green, filled in as the window moves. Move the sliders for $n, k, p, s, d$, then drag
# "output cell" or press play. The line above the picture evaluates the formula and asks `F.conv2d` for its answer.
#
# Things to try: $k=3, p=1, s=1$ (size kept); raise $s$ to 2 and watch the windows skip; set $d=2$ and see the
# gaps; set $n=3, k=7, p=0$ and see both the formula and PyTorch refuse.

# %%
# NBVAL_IGNORE_OUTPUT
arith = ConvArithmetic(n=5, k=3, p=1, s=2, d=1)
arith

# %%
state = arith.compute(n=5, k=3, p=1, s=2, d=1, step=0)
print(state.formula)

# %%
# Checks for this section (you can skip this cell)
assert state.out == state.torch_out == 3 and state.taps_in_padding == 5
assert (agree, refused) == (747, 153) and agree + refused == 10 * 5 * 3 * 3 * 2
# and non-square ones, both sides at once
for size, k, p, s, d in [((28, 40), (3, 5), (1, 2), (2, 3), (1, 1)), ((17, 9), (2, 4), (0, 3), (3, 1), (2, 1)),
                         ((64, 32), (7, 1), (3, 0), (2, 2), (1, 3))]:
    y = F.conv2d(torch.zeros(1, 1, *size), torch.zeros(1, 1, *k), padding=p, stride=s, dilation=d)
    assert conv_output_shape(size, k, p, s, d) == tuple(y.shape[2:])

# %% [markdown]
# For readers without a running kernel: every window of the worked example (5×5, $k=3$, $p=1$, $s=2$), laid out
# like the 3×3 output it produces. The corner windows put 5 of their 9 taps on padding.

# %%
arith.filmstrip(n=5, k=3, p=1, s=2, d=1);

# %% [markdown]
# ## 5. Non-square kernels, strides and paddings
#
# Every size argument of `nn.Conv2d` takes an int (same for both sides) or a pair **(height, width)**, that is
# (rows, columns), in the same order as the tensor's last two axes. A 3×5 kernel keeps the size with padding
# (1, 2); and the formula works on each side separately:

# %%
X8x8 = torch.rand(1, 1, 8, 8)
keep = nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(1, 2))
mixed = nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
print(tuple(keep(X8x8).shape[2:]), tuple(mixed(X8x8).shape[2:]))
# height: floor((8 + 0 - 3) / 3) + 1 = 2; width: floor((8 + 2 - 5) / 4) + 1 = 2

# %% [markdown]
# Which way does `stride=(2, 3)` step? Give every pixel its own label, `10·row + col`, and take a 1×1 kernel of
# one: each output value *is* the label of the pixel the window started on.

# %%
labels = (10 * torch.arange(9.0)[:, None] + torch.arange(9.0)[None, :])[None, None]  # 9×9, value 10*row + col
picked = F.conv2d(labels, torch.ones(1, 1, 1, 1), stride=(2, 3))[0, 0]
picked

# %%
assert picked[:, 0].tolist() == [0, 20, 40, 60, 80]  # down a column: rows 0, 2, 4, ... (stride 2 vertically)
assert picked[0].tolist() == [0, 3, 6]  # along a row: columns 0, 3, 6 (stride 3 horizontally)

# %%
# Checks for this section (you can skip this cell)
assert picked.shape == (5, 3)
assert keep(X8x8).shape[2:] == (8, 8)
assert mixed(X8x8).shape[2:] == (2, 2) == conv_output_shape(8, (3, 5), (0, 1), (3, 4))

# %% [markdown]
# ## 6. `padding='same'` and padding modes
#
# `padding='same'` (stride 1 only) asks PyTorch to work out the padding that keeps the size. For an odd kernel it is
# $(k-1)/2$ on each side. For an even kernel the total padding $k - 1$ is odd, so PyTorch puts the smaller half
# on the top/left: a 4×4 kernel gets 1 row above and 2 below, 1 column left and 2 right.

# %%
x9, k4 = torch.randn(1, 1, 9, 9), torch.randn(1, 1, 4, 4)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # PyTorch warns that even kernels need an extra padded copy of the input
    same = F.conv2d(x9, k4, padding="same")
by_hand = F.conv2d(F.pad(x9, (1, 2, 1, 2)), k4)  # (left, right, top, bottom)
print(tuple(same.shape))
torch.testing.assert_close(same, by_hand)

# %% [markdown]
# With a stride, PyTorch simply does not implement `'same'`:

# %%
try:
    nn.Conv2d(1, 1, kernel_size=3, stride=2, padding="same")
except ValueError as err:
    same_error = str(err)
print(same_error)

# %% [markdown]
# Other libraries do define it. In TensorFlow, `padding='SAME'` with stride $s$ means an output of
# $\lceil n/s \rceil$ (the size that Pitfall 2 below meets again): it pads just enough for that many windows,
# $\max((\lceil n/s \rceil - 1)s + k - n,\ 0)$ in total, the smaller half at the top/left. Written out, and
# checked with PyTorch's `F.pad` and `F.conv2d`:

# %%
def tf_same_padding(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's 'SAME' padding along one side: (before, after), so that the output has ceil(n/s) values."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


tf_same = {}
for n in (7, 8, 9, 28):
    before, after = tf_same_padding(n, 3, 2)
    x_n = torch.zeros(1, 1, n, n)
    tf_same[n] = (before, after, F.conv2d(F.pad(x_n, (before, after, before, after)), torch.zeros(1, 1, 3, 3),
                                          stride=2).shape[-1])
print({n: f"pad {b}+{a} -> {out}" for n, (b, a, out) in tf_same.items()})

# %% [markdown]
# **What goes in the ring.** Zeros are one choice. `nn.Conv2d(..., padding_mode=...)` offers four:
#
# * `'zeros'`: a black frame;
# * `'reflect'`: mirror the image at its edge, without repeating the edge pixel;
# * `'replicate'`: repeat the edge pixel outwards;
# * `'circular'`: wrap around, as if the image were tiled (the left edge continues from the right one).
#
# On a 3×3 matrix with one ring of padding (`F.pad` calls zeros `'constant'`):

# %%
M = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)
MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
padded_M = {name: F.pad(M, (1, 1, 1, 1), mode=mode)[0, 0] for name, mode in MODES.items()}
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for ax, (name, P) in zip(axes, padded_M.items(), strict=True):
    plotting.draw_grid(ax, P, None, f"'{name}'", padding=1, cmap="Wistia")
fig.tight_layout()

# %% [markdown]
# On a photo, with a wide ring (24 pixels) so we can see it, and then what each mode does to a 9×9 blur at the
# border: zero padding pulls black into the edge pixels, the other modes do not.

# %%
cam = data.load_photo("camera", size=96)[None, None]
rings = [F.pad(cam, (24, 24, 24, 24), mode=mode)[0, 0] for mode in MODES.values()]
blurs = {}
for name in MODES:
    blur = nn.Conv2d(1, 1, kernel_size=9, padding=4, padding_mode=name, bias=False)
    nn.init.constant_(blur.weight, 1 / 81)
    blurs[name] = blur(cam)[0, 0].detach()
plotting.show_images(rings + list(blurs.values()), nrows=2, scale=2.2,
                     titles=[f"pad '{n}'" for n in MODES] + [f"9×9 blur, '{n}'" for n in MODES]);

# %%
edge = {name: torch.cat([b[0], b[-1], b[:, 0], b[:, -1]]).mean().item() for name, b in blurs.items()}
print({name: round(v, 3) for name, v in edge.items()}, "mean of the outermost pixels; photo:",
      round(torch.cat([cam[0, 0, 0], cam[0, 0, -1], cam[0, 0, :, 0], cam[0, 0, :, -1]]).mean().item(), 3))
# padding_mode in the layer == F.pad with that mode, then a convolution without padding
for name, mode in MODES.items():
    w = torch.full((1, 1, 9, 9), 1 / 81)
    torch.testing.assert_close(blurs[name], F.conv2d(F.pad(cam, (4, 4, 4, 4), mode=mode), w)[0, 0])

# %%
# Checks for this section (you can skip this cell)
assert same.shape == x9.shape
assert not torch.allclose(same, F.conv2d(F.pad(x9, (2, 1, 2, 1)), k4))  # the other split is a different answer
assert torch.equal(F.conv2d(x9, K9[None, None], padding="same"), F.conv2d(x9, K9[None, None], padding=1))
assert same_error == "padding='same' is not supported for strided convolutions"
assert all(out == math.ceil(n / 2) for n, (_, _, out) in tf_same.items())
assert tf_same[8][:2] == (0, 1)  # an even n needs one extra row, at the bottom only
assert padded_M["zeros"][0].tolist() == [0, 0, 0, 0, 0]
assert padded_M["reflect"][0].tolist() == [5, 4, 5, 6, 5]  # the row below the edge, mirrored
assert padded_M["replicate"][0].tolist() == [1, 1, 2, 3, 3]  # the edge row, repeated
assert padded_M["circular"][0].tolist() == [9, 7, 8, 9, 7]  # the last row, wrapped around
assert edge["zeros"] < 0.75 * min(edge["reflect"], edge["replicate"])

# %% [markdown]
# ## 7. Dilation: a kernel with holes
#
# A dilated kernel (also called *atrous*, "with holes") places its $k$ taps $d$ pixels apart: a 3×3 kernel with
# $d = 2$ spans 5×5 while keeping 9 weights. It is the same as an ordinary convolution with a bigger kernel that
# has zeros in the gaps:

# %%
def dilate_kernel(K: torch.Tensor, d: int | tuple[int, int]) -> torch.Tensor:
    """Spread the taps of K d pixels apart (or (dh, dw)), zeros in between: span d(k-1)+1 per side."""
    (kh, kw), (dh, dw) = K.shape, (d, d) if isinstance(d, int) else d
    out = torch.zeros(dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    out[::dh, ::dw] = K
    return out


print(dilate_kernel(K9, 2))
for shape, kshape, d in [((9, 9), (3, 3), 2), ((12, 10), (2, 3), 3), ((15, 8), (3, 2), (2, 1)),
                         ((11, 11), (3, 3), 4)]:
    A, B = torch.randn(shape), torch.randn(kshape)
    torch.testing.assert_close(corr2d(A, dilate_kernel(B, d)), F.conv2d(A[None, None], B[None, None], dilation=d)[0, 0])
print("dilated F.conv2d == corr2d with a zero-filled kernel on 4 configurations")

# %% [markdown]
# Why bother? The **receptive field**. The cross-correlation notebook measured it with a gradient: 3×3 layers stacked
# add 2 pixels each (3, 5, 7). Give the layers dilations 1, 2, 4 and they add 2, 4, 8: the field grows exponentially
# with depth at the same cost. Yu & Koltun (2016, *Multi-scale context aggregation by dilated convolutions*) built
# their context module this way; DeepLab uses dilation for a related reason, to keep feature maps large without
# shrinking the receptive field. (Padding $d$ keeps each layer's size.)

# %%
from helpers.lessons import receptive_field  # the cross-correlation notebook's gradient measurement


def stack(dilations: list[int]) -> nn.Sequential:
    """3×3 layers with the given dilations, all weights 1 (so no gradient is zero by accident)."""
    layers = [nn.Conv2d(1, 1, 3, padding=d, dilation=d) for d in dilations]
    for layer_ in layers:
        nn.init.constant_(layer_.weight, 1.0)
    return nn.Sequential(*layers)


fields = {str(ds): receptive_field(stack(ds), size=41)
          for ds in ([1], [1, 1], [1, 1, 1], [1, 2], [1, 2, 4], [1, 2, 4, 8])}
print(fields)
assert fields["[1, 1, 1]"] == (7, 7) and fields["[1, 2, 4]"] == (15, 15) and fields["[1, 2, 4, 8]"] == (31, 31)

# %% [markdown]
# ### The holes that a bounding box hides
#
# `receptive_field` reports the *bounding box* of the pixels that influence the centre output: the smallest
# rectangle around them. It does not say whether every pixel inside is used. Three layers that all have dilation 2
# report a 13×13 box, yet every tap of every layer lands an even number of pixels away, so the odd rows and columns
# never reach the centre output: a grid with holes (the "gridding" artifact). Dilations 1, 2, 4 fill their box.
# The gradient of the centre output with respect to the input shows which pixels count:

# %%
def influence(net: nn.Module, size: int = 21) -> torch.Tensor:
    """Gradient of the centre output of `net` with respect to a (size, size) input: non-zero where a pixel counts."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = net(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    return x.grad[0, 0]


grids = {str(ds): influence(stack(ds)) for ds in ([2, 2, 2], [1, 2, 4])}
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4))
for ax, (name, g) in zip(axes, grids.items(), strict=True):
    ax.imshow(g != 0, cmap="Blues")
    ax.set_title(f"dilations {name}: {int((g != 0).sum())} pixels")
    ax.axis("off")
fig.tight_layout()

# %%
used = {name: int((g != 0).sum()) for name, g in grids.items()}
box = {str(ds): receptive_field(stack(ds), size=21) for ds in ([2, 2, 2], [1, 2, 4])}
print({name: f"box {box[name][0]}×{box[name][1]}, {used[name]} pixels used" for name in grids})

# %% [markdown]
# The explorer's picture with $d = 2$: nine taps, spread over a 5×5 span.

# %%
arith.static_figure(n=7, k=3, p=2, s=1, d=2, step=8);

# %% [markdown]
# ### The receptive field with strides, and what a stride saves
#
# A stride makes every later layer step further across the input. Call *jump* the distance, in input pixels,
# between two neighbouring outputs of a layer: 1 for the input itself, multiplied by each layer's stride. A
# $k \times k$ layer adds $k - 1$ of its own input's steps to the field, that is $(k-1) \cdot$ jump input pixels:
#
# $$r \leftarrow r + (k - 1)\,\text{jump}, \qquad \text{jump} \leftarrow \text{jump} \cdot s, \qquad
# \text{starting from } r = 1,\ \text{jump} = 1.$$
#
# (A dilated layer adds $d(k-1)\,\text{jump}$.) The recurrence, checked against the gradient measurement on stacks
# of unpadded layers given as (kernel, stride) pairs:

# %%
def receptive_field_size(layers: list[tuple[int, int]]) -> int:
    """Receptive field (per side) of a stack of (kernel, stride) layers: r += (k - 1) * jump, jump *= s."""
    r, jump = 1, 1
    for k, s in layers:
        r += (k - 1) * jump
        jump *= s
    return r


def strided_stack(layers: list[tuple[int, int]]) -> nn.Sequential:
    """Unpadded single-channel layers with the given (kernel, stride), all weights 1."""
    convs = [nn.Conv2d(1, 1, k, stride=s) for k, s in layers]
    for conv_ in convs:
        nn.init.constant_(conv_.weight, 1.0)
    return nn.Sequential(*convs)


rf_cases = {"3×3 twice, stride 1": [(3, 1), (3, 1)], "3×3 twice, stride 2": [(3, 2), (3, 2)],
            "3×3 three times, stride 2": [(3, 2), (3, 2), (3, 2)],
            "LeNet-like 5, pool 2, 5, pool 2": [(5, 1), (2, 2), (5, 1), (2, 2)]}
for name, layers in rf_cases.items():
    measured = receptive_field(strided_stack(layers), size=64)
    print(f"{name:>31}: recurrence {receptive_field_size(layers):2d}, gradient {measured}")
    assert measured == (receptive_field_size(layers),) * 2

# %% [markdown]
# Two 3×3 layers see 5×5 at stride 1 but 7×7 at stride 2, and each further stride-2 layer doubles what the next
# one adds. The stride also divides the work: a layer computes only every $s$-th window in each direction, so its
# multiply-adds fall by $s^2$ (exactly, when $s$ divides the size), counted here with
# `helpers.inspect.count_flops`:

# %%
flops = {s: count_flops(nn.Conv2d(16, 32, 3, padding=1, stride=s), (1, 16, 32, 32)) for s in (1, 2, 4)}
print(", ".join(f"stride {s}: {f / 1e6:.2f} MFLOPs (÷{flops[1] // f})" for s, f in flops.items()))

# %% [markdown]
# That is why networks stride early: the first layers run on the largest maps, and a stride there saves the most.
# The price is detail: a stride-$s$ layer keeps one window in $s^2$ and throws the rest away.

# %%
# Checks for this section (you can skip this cell)
assert box["[2, 2, 2]"] == (13, 13) and used["[2, 2, 2]"] == 7 * 7  # 49 of 169: only every other row and column
assert box["[1, 2, 4]"] == (15, 15) and used["[1, 2, 4]"] == 15 * 15  # every pixel in the box
dilated = arith.compute(n=7, k=3, p=2, s=1, d=2, step=8)  # the explorer's picture with d = 2, above
assert dilated.span == 5 and dilated.out == 7 and len(dilated.taps) == 9
assert flops[1] == 4 * flops[2] == 16 * flops[4]

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: the formula without $-k$.** A learner's note writes the output size as
# $\lfloor (n + 2p)/s + 1 \rfloor$, then computes the example $(28 + 2 - 3)/2 + 1 = 14.5 \to 14$ with the $k$ put
# back in. The kernel's size has to be there: the window needs room. Another version forgets the floor. On the
# note's own example ($n = 28, p = 1, k = 3, s = 2$):

# %%
n, p, k, s = 28, 1, 3, 2
wrong_no_k = math.floor((n + 2 * p) / s + 1)
wrong_no_floor = (n + 2 * p - k) / s + 1
right = math.floor((n + 2 * p - k) / s) + 1
pytorch = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)(torch.zeros(1, 1, n, n)).shape[-1]
print(f"(n+2p)/s+1 = {wrong_no_k};  (n+2p-k)/s+1 = {wrong_no_floor};  floor((n+2p-k)/s)+1 = {right};  "
      f"PyTorch: {pytorch}")

# %% [markdown]
# 14.5 is not a size. The floor is there because a last, partial window that would stick out of the padded input
# is simply not computed: $27/2 = 13.5$ steps fit, so 13 steps plus the start position, 14 windows.
#
# **Pitfall 2: "the output is the input divided by the stride."** Another note: with an odd kernel and padding
# $(k-1)/2$, the output is $n/s$. True when $s$ divides $n$ (8 → 4); otherwise it is $\lceil n/s \rceil$, because
# the first window sits at position 0:

# %%
odd = {n: nn.Conv2d(1, 1, 3, padding=1, stride=2)(torch.zeros(1, 1, n, n)).shape[-1] for n in (7, 8, 9, 28, 29)}
print(odd)

# %% [markdown]
# **Pitfall 3: `stride=(2, 3)` is (vertical, horizontal).** A note explains `stride=(2, 3)` as "2 left-right, 3
# up-down". It is the other way round: pairs are always (height, width), as in the `picked` example above where
# the rows advanced by 2. With a square input and kernel the mistake goes unnoticed until the output shape
# comes out transposed:

# %%
shape_23 = F.conv2d(torch.zeros(1, 1, 9, 9), torch.zeros(1, 1, 3, 3), stride=(2, 3)).shape[2:]
print(tuple(shape_23))  # rows: floor(6/2)+1 = 4; columns: floor(6/3)+1 = 3

# %% [markdown]
# **Pitfall 4: `F.conv2d` has no `padding_mode`.** Only the module `nn.Conv2d` does. With the function, pad first
# with `F.pad(x, ..., mode='reflect')` and convolve without padding, as section 6 checked.
#
# **Pitfall 5: padding invents data.** Zeros at the border are not "no information"; they are black pixels, and
# the blur above darkened the photo's frame. Networks learn to cope, but for image-to-image tasks `reflect` or
# `replicate` often look better.

# %%
# Checks for this section (you can skip this cell)
assert (wrong_no_k, wrong_no_floor, right, pytorch) == (16, 14.5, 14, 14)
assert all(out == math.ceil(n / 2) for n, out in odd.items()) and odd[7] == 4 != 7 / 2
assert shape_23 == (4, 3)  # rows: floor(6/2)+1 = 4; columns: floor(6/3)+1 = 3

# %% [markdown]
# ## Exercises
#
# Replace `None` with your answer and run the cell; the checker says what was expected if you are wrong. The
# solutions are folded below each exercise.
#
# **Exercise 1.** A batch of shape (8, 3, 32, 60) goes through
# `nn.Conv2d(3, 16, kernel_size=(5, 3), padding=(2, 0), stride=(2, 3))`. What are the output's height and width?
# Answer as a tuple `(H, W)`.

# %%
ex1_layer = nn.Conv2d(3, 16, kernel_size=(5, 3), padding=(2, 0), stride=(2, 3))
ex1_expected = tuple(ex1_layer(torch.zeros(8, 3, 32, 60)).shape[2:])
answer_1 = None  # (H, W)
checks.check("exercise 1: output height and width", answer_1, ex1_expected)

# %% jupyter={"source_hidden": true}
# Solution: height floor((32 + 4 - 5) / 2) + 1 = 16, width floor((60 + 0 - 3) / 3) + 1 = 20.
answer_1 = (math.floor((32 + 4 - 5) / 2) + 1, math.floor((60 - 3) / 3) + 1)
checks.check("exercise 1: output height and width", answer_1, ex1_expected)

# %% [markdown]
# **Exercise 2.** A 7×7 kernel with dilation 2 and stride 1 runs on a 20×20 input. Which padding `p` keeps the
# output at 20×20?

# %%
answer_2 = None  # an int
checks.check("exercise 2: padding that keeps the size", answer_2,
             next(p for p in range(20) if conv_output_size(20, 7, p, 1, 2) == 20))

# %% jupyter={"source_hidden": true}
# Solution: the span is d(k-1)+1 = 13, so 2p = 13 - 1 and p = d(k-1)/2 = 6.
answer_2 = 2 * (7 - 1) // 2
assert conv_output_size(20, 7, answer_2, 1, 2) == 20
checks.check("exercise 2: padding that keeps the size", answer_2,
             next(p for p in range(20) if conv_output_size(20, 7, p, 1, 2) == 20))

# %% [markdown]
# **Exercise 3.** Write `out_size(n, k, p, s, d)` with integer arithmetic only (`//`, no `math`). The checker
# compares it with `conv_output_size` on several configurations.

# %%
out_size = None
ex3_cases = [(28, 3, 1, 2, 1), (5, 3, 1, 2, 1), (32, 5, 0, 1, 1), (7, 3, 1, 2, 1), (20, 7, 6, 1, 2),
             (224, 11, 2, 4, 1), (9, 2, 0, 3, 3)]
checks.check_function("exercise 3: out_size", out_size, conv_output_size, ex3_cases)

# %% jupyter={"source_hidden": true}
# Solution: Python's // is floor division, exactly the floor in the formula (for non-negative numerators).
def out_size(n, k, p, s, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


checks.check_function("exercise 3: out_size", out_size, conv_output_size, ex3_cases)

# %% [markdown]
# **Exercise 4 (run it, then read the result).** Design a dilation schedule for three 3×3 layers whose centre
# output sees a **27×27** square of the input **without holes** (every pixel in it counts). Try schedules with
# `stack` and `influence` from section 7 and look at `influence(stack(dilations), size=41) != 0` before you answer:
# which dilations leave holes, and why does the third layer's dilation have a limit? Answer as a tuple of three
# dilations. The checker draws the same gradient map for your schedule and compares it with a full 27×27 square.

# %%
def footprint(dilations) -> torch.Tensor | None:
    """Where the centre output of a stack with these dilations has a non-zero gradient (on a 41×41 input)."""
    return None if dilations is None else (influence(stack(list(dilations)), size=41) != 0).float()


full_27 = torch.zeros(41, 41)
full_27[7:34, 7:34] = 1  # the 27×27 square around the centre pixel (20, 20)
dilations = None  # (d1, d2, d3)
checks.check("exercise 4: a 27×27 field without holes", footprint(dilations), full_27,
             hint="a pixel with no gradient inside the square is a hole; a square smaller than 27×27 needs "
                  "larger dilations. Plot footprint(your dilations).")

# %% jupyter={"source_hidden": true}
# Solution: (1, 3, 9). After layer 1 the field is 3 wide with no holes; a dilation-3 layer places three copies of it
# 3 pixels apart, which just touch (9 wide); dilation 9 places three copies of those 9 pixels 9 apart (27 wide).
# A larger dilation leaves gaps between the copies; a smaller one overlaps them and the field is narrower than 27.
# The order does not matter (any permutation of 1, 3, 9 works): stacked linear layers add up their offsets.
dilations = (1, 3, 9)
for d_last in (9, 10):
    g = footprint((1, 3, d_last))
    print(f"dilations (1, 3, {d_last}): field {receptive_field(stack([1, 3, d_last]), size=41)}, "
          f"{int(g.sum())} pixels used")
checks.check("exercise 4: a 27×27 field without holes", footprint(dilations), full_27,
             hint="a pixel with no gradient inside the square is a hole; a square smaller than 27×27 needs "
                  "larger dilations. Plot footprint(your dilations).")

# %% [markdown]
# ## Summary
#
# * Without padding every $k \times k$ layer trims $k - 1$ rows and columns; padding $p = (k-1)/2$ keeps the size
#   for odd kernels (8×8 stays 8×8 with a 3×3 kernel and padding 1).
# * Stride $s$ computes every $s$-th window: the stride-2 output is the stride-1 output at `[::2, ::2]`
#   (8×8 → 4×4; in general $\lceil n/s \rceil$ with "same" padding).
# * Output size per side: $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$, checked against PyTorch on 900
#   configurations. $(n+2p)/s + 1$ is wrong (16 instead of 14 for $n=28, p=1, k=3, s=2$).
# * Pairs are (height, width). `padding='same'` keeps the size at stride 1 (even kernels pad more at the
#   bottom/right); padding modes `zeros`, `reflect`, `replicate`, `circular` decide what the ring contains.
# * Dilation spreads the taps: a 3×3 kernel with $d=2$ spans 5×5; dilations 1, 2, 4 give a 15×15 receptive field
#   with three layers instead of 7×7. A bounding box can hide holes: dilations 2, 2, 2 span 13×13 but use only
#   49 of its 169 pixels.
# * Receptive field with strides: $r \mathrel{+}= (k-1)\,\text{jump}$, $\text{jump} \mathrel{*}= s$ (two 3×3
#   layers see 5×5 at stride 1, 7×7 at stride 2), matching the gradient measurement; a stride $s$ divides a layer's
#   multiply-adds by $s^2$. Three 3×3 layers with dilations 1, 3, 9 see 27×27 without holes (exercise 4).
# * `padding='same'` with a stride: PyTorch refuses it; TensorFlow defines it as an output of $\lceil n/s \rceil$.
#
# Next: **03 · Multiple channels and 1×1 convolution** — what happens with colour images and many kernels.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | jump (distance between neighbouring outputs, in input pixels) | 跳距（相邻输出在输入上的间隔） |
# | FLOPs | 浮点运算次数 |
# | padding | 填充 |
# | zero padding | 零填充 |
# | stride | 步幅 / 步长 |
# | dilation, dilated (atrous) convolution | 空洞，空洞卷积（扩张卷积） |
# | output size | 输出尺寸 |
# | floor (round down) | 向下取整 |
# | kernel size | 卷积核大小 |
# | padding mode: reflect, replicate, circular | 填充模式：反射、复制、循环 |
# | receptive field | 感受野 |
# | gridding artifact (holes of dilated stacks) | 网格效应 |
# | downsampling | 下采样 |
# | height, width | 高，宽 |
