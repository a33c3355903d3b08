# %% [markdown]
# # 05 · Upsampling: growing feature maps back
#
# **What you will learn**
#
# 1. Why decoders need to go from a small feature map to a large one, and the two families of ways to do it:
#    fixed interpolation and a learned transposed convolution.
# 2. What `F.interpolate` computes in `nearest` and `bilinear` mode, down to where each output pixel sits.
# 3. The transposed convolution, written from scratch and checked against PyTorch: its output size
#    $(n - 1)s - 2p + k$, `output_padding`, and why it is called "transposed" (its matrix is $W^\top$).
# 4. The **checkerboard artifact**: when kernel copies overlap unevenly, a smooth input comes out striped; why even
#    overlap is not enough with a learned kernel; and the resize-then-convolve fix.
#
# Everything runs on a laptop CPU in seconds. Every number the text states is computed in a cell and checked, either
# in that cell or in the folded "Checks for this section" cell at the end of its section (you can skip those).

# %%
import torch
import torch.nn.functional as F
from torch import nn

from helpers import checks, data, plotting
from helpers.inspect import transposed_output_size
from helpers.widgets.pooling import CheckerboardExplorer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown]
# ## 1. The idea
#
# Pooling and strided convolutions (the pooling notebook) shrink feature maps, so that each value summarises a larger
# part of the image. A classifier only needs that summary. A network that
# must answer *for every pixel* (segmentation: which pixels are road?) or produce an image (a generator, a
# super-resolution model) has to grow the small map back to full size; that half of the network is its
# **decoder**, and its layers **upsample**.
#
# There are two families. **Interpolation** fills the new pixels from their input neighbours by a fixed rule, and has
# nothing to learn. A **transposed convolution** scatters a learned kernel, so the network decides how to fill them,
# at the price of an artifact this notebook measures: the checkerboard.

# %% [markdown]
# ## 2. Upsampling with `F.interpolate`
#
# The simplest way has no parameters. **Nearest** copies each value into an $s \times s$ block;
# **bilinear** blends the four nearest input values by distance. With the default `align_corners=False`, output
# pixel $i$ sits at input position $(i + 0.5)/s - 0.5$, so for $s=2$ the second output value of the row
# `[1, 2]` lies a quarter of the way from 1 to 2: $0.75 \cdot 1 + 0.25 \cdot 2 = 1.25$.

# %%
small = torch.tensor([[1.0, 2.0], [3.0, 4.0]])[None, None]
nearest = F.interpolate(small, scale_factor=2, mode="nearest")
bilinear = F.interpolate(small, scale_factor=2, mode="bilinear")
print(nearest[0, 0])
print(bilinear[0, 0])

# %%
assert nearest[0, 0].tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
assert bilinear[0, 0, 0].tolist() == [1, 1.25, 1.75, 2] and 0.75 * 1 + 0.25 * 2 == 1.25

# %% [markdown]
# On a photo: average pooling by 4, then back up by 4. Pooling threw the detail away, so neither method can bring
# it back; nearest shows 4×4 blocks, bilinear a smooth blur.

# %%
camera = data.load_photo("camera", size=256)[None, None]
down = F.avg_pool2d(camera, 4)
up_nearest = F.interpolate(down, scale_factor=4, mode="nearest")
up_bilinear = F.interpolate(down, scale_factor=4, mode="bilinear")
plotting.show_images([camera[0], down[0], up_nearest[0], up_bilinear[0]], scale=2.3,
                     titles=["input 256×256", "avg pool 4 → 64×64", "nearest ×4", "bilinear ×4"]);

# %%
# Checks for this section (you can skip this cell)
assert down.shape[2:] == (64, 64) and up_nearest.shape == up_bilinear.shape == camera.shape
assert torch.equal(nearest[0, 0], small[0, 0].repeat_interleave(2, 0).repeat_interleave(2, 1))
assert bilinear[0, 0, 1, 1] == 0.75 * 1.25 + 0.25 * 3.25  # rows blend the same way
assert bilinear.min() == 1 and bilinear.max() == 4  # never outside the input's range
blocks = up_nearest[0, 0].reshape(64, 4, 64, 4)
assert (blocks == blocks[:, :1, :, :1]).all()  # every 4x4 block of the nearest result is one value
# Nearest upsampling is undone exactly by average pooling (not the other way round: detail is lost).
torch.testing.assert_close(F.avg_pool2d(up_nearest, 4), down)
assert (F.interpolate(F.avg_pool2d(camera, 4), scale_factor=4) - camera).abs().max() > 0.3

# %% [markdown]
# ## 3. Transposed convolution
#
# A **transposed convolution** (`nn.ConvTranspose2d`, also called fractionally-strided convolution) upsamples with a
# *learnable* kernel. Instead of gathering a window into one output value, each **input** value scatters a scaled
# copy of the kernel into the output: `Y[i:i+h, j:j+w] += X[i, j] * K`. With stride $s$ the copies are placed
# $s$ pixels apart, and padding $p$ *crops* $p$ rows and columns from each border. Output size per side:
#
# $$n_\text{out} = (n - 1)\,s - 2p + k$$

# %%
def trans_conv(X: torch.Tensor, K: torch.Tensor, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Transposed convolution of a matrix X with a kernel K, written with loops."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - 1) * stride + h, (X.shape[1] - 1) * stride + w)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i * stride:i * stride + h, j * stride:j * stride + w] += X[i, j] * K
    return Y[padding:Y.shape[0] - padding, padding:Y.shape[1] - padding]


Xt = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
Kt = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print(trans_conv(Xt, Kt))
print(trans_conv(Xt, Kt, stride=2))

# %%
assert trans_conv(Xt, Kt).tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
assert trans_conv(Xt, Kt, stride=2).tolist() == [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]
tconv = nn.ConvTranspose2d(1, 1, kernel_size=2, bias=False)
tconv.weight.data = Kt[None, None]
torch.testing.assert_close(tconv(Xt[None, None])[0, 0], trans_conv(Xt, Kt))

# %% [markdown]
# The same check against `F.conv_transpose2d`, and the size formula against `helpers.inspect.transposed_output_size`,
# on several shapes, strides and paddings:

# %%
tcases = [((2, 2), (2, 2), 1, 0), ((3, 4), (3, 3), 2, 0), ((4, 4), (3, 3), 2, 1), ((5, 3), (4, 4), 2, 1),
          ((3, 3), (2, 3), 3, 0), ((6, 5), (5, 5), 1, 2)]
for shape, kshape, stride, padding in tcases:
    A, B = torch.randn(shape), torch.randn(kshape)
    Y = trans_conv(A, B, stride, padding)
    torch.testing.assert_close(Y, F.conv_transpose2d(A[None, None], B[None, None], stride=stride,
                                                     padding=padding)[0, 0])
    assert Y.shape == tuple(transposed_output_size(n, k, padding, stride) for n, k in zip(shape, kshape, strict=True))
print(f"trans_conv == F.conv_transpose2d on {len(tcases)} cases; shapes match (n - 1)s - 2p + k")

# %% [markdown]
# **`output_padding`: which size do you want back?** A stride-2 convolution maps several input sizes to one output
# size: with $k = 3, p = 1$ both 5×5 and 6×6 become 3×3 (the floor in its size formula). Going back, a transposed
# convolution must pick one, and the formula above picks the smallest, $(3-1) \cdot 2 - 2 + 3 = 5$. The argument
# `output_padding` (less than the stride) adds that many rows and columns at the bottom and right, to reach the
# others: $n_\text{out} = (n - 1)s - 2p + k + \text{output\_padding}$.

# %%
sizes_down = {n: F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, 3, 3), stride=2, padding=1).shape[-1]
              for n in (5, 6)}
sizes_up = {op: F.conv_transpose2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 3, 3), stride=2, padding=1,
                             output_padding=op).shape[-1] for op in (0, 1)}
print(f"conv, stride 2: 5 -> {sizes_down[5]}, 6 -> {sizes_down[6]};  transposed conv back from 3: "
      f"output_padding=0 -> {sizes_up[0]}, output_padding=1 -> {sizes_up[1]}")
assert sizes_down == {5: 3, 6: 3} and sizes_up == {0: 5, 1: 6}

# %% [markdown]
# **Why "transposed"?** A convolution is a linear map, so it is a matrix $W$: flatten a 3×3 input into 9 numbers
# and a 2×2 kernel gives 4 outputs, $y = W x$ with $W$ of shape 4×9. The transposed convolution with the same kernel
# is multiplication by $W^\top$ (9×4): 4 numbers back to 9. That is also exactly how PyTorch computes the gradient
# of a convolution with respect to its input.

# %%
basis = torch.eye(9).reshape(9, 1, 3, 3)  # the 9 one-pixel images
W_conv = F.conv2d(basis, Kt[None, None]).reshape(9, 4).T  # column k = the output for input pixel k
y_small = torch.tensor([1.0, -1.0, 2.0, 0.5])
print("W has shape", tuple(W_conv.shape))
torch.testing.assert_close((W_conv.T @ y_small).reshape(3, 3), trans_conv(y_small.reshape(2, 2), Kt))
x3 = torch.randn(1, 1, 3, 3, requires_grad=True)
F.conv2d(x3, Kt[None, None]).backward(y_small.reshape(1, 1, 2, 2))
torch.testing.assert_close(x3.grad[0, 0], trans_conv(y_small.reshape(2, 2), Kt))

# %%
# Checks for this section (you can skip this cell)
# all four copies cover the centre: 0*K[1,1] + 1*K[1,0] + 2*K[0,1] + 3*K[0,0] = 0 + 2 + 2 + 0 = 4
assert trans_conv(torch.ones(2, 2), torch.ones(2, 2))[1, 1] == 4  # four copies land there
assert transposed_output_size(14, 4, padding=1, stride=2) == 28  # the usual "exactly x2" choice: k=4, s=2, p=1
assert W_conv.shape == (4, 9)

# %% [markdown]
# ## 4. The checkerboard artifact
#
# With stride 2 and a 3×3 kernel, neighbouring kernel copies overlap on some output pixels and not on others. Feed a
# constant image of ones with a kernel of ones and count how many copies land on each output pixel: along a row the
# count alternates 2, 1, 2, 1, so in 2-D it cycles 4, 2, 1. A layer whose input is perfectly smooth paints a
# **checkerboard**. When the stride divides the kernel size (k=4, s=2) every pixel away from the border gets the
# same number of copies.

# %%
ones = torch.ones(1, 1, 8, 8)
counts_k3 = F.conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)[0, 0]
counts_k4 = F.conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)[0, 0]
print(counts_k3[2:8, 2:8])
print("k=4: interior values", counts_k4[4:-4, 4:-4].unique().tolist())

# %%
assert counts_k3[2:-2, 2:-2].unique().tolist() == [1, 2, 4]  # uneven overlap
assert counts_k4[4:-4, 4:-4].unique().tolist() == [4]  # stride divides the kernel: even

# %% [markdown]
# Even overlap is necessary, not sufficient. It makes every pixel receive the same *number* of copies; with a
# learned kernel the copies are not ones, and each output pixel adds up a different part of the kernel. With k=4,
# s=2 there are four kinds of pixel (even or odd row, even or odd column), and each kind sums one 2×2 subset of the
# kernel, `K[a::2, b::2]`. Unless those four sums happen to agree, a constant input still comes out as a
# checkerboard. Odena, Dumoulin & Olah (*Deconvolution and checkerboard artifacts*, Distill 2016) report that
# learned deconvolutions with even overlap, such as k=4, s=2, still produce checkerboards. A random 4×4 kernel shows
# why:

# %%
K_rand = torch.rand(4, 4, generator=torch.Generator().manual_seed(0))
painted = F.conv_transpose2d(ones, K_rand[None, None], stride=2)[0, 0, 4:-4, 4:-4]  # the interior
phase_sums = torch.stack([K_rand[a::2, b::2].sum() for a in (0, 1) for b in (0, 1)]).reshape(2, 2)
print(f"k=4, s=2, random kernel, constant input; a corner of the interior:\n{painted[:4, :4]}")
torch.testing.assert_close(painted, phase_sums.repeat(5, 5))  # a 2×2 pattern tiled over the interior

# %% [markdown]
# **The fix: resize, then convolve.** Upsample with `F.interpolate` (no overlap question: every output pixel is one
# copy) and let an ordinary stride-1 convolution (padding keeps the size) do the learning. Every output pixel then
# sees the same number of inputs, whatever the kernel size. On the constant image and on a digit made black and
# white (ink 1, paper 0, so the inside of a stroke is constant), with averaging kernels so the three methods are
# comparable:

# %%
def resize_conv(x: torch.Tensor, K: torch.Tensor, scale: int = 2) -> torch.Tensor:
    """Upsample by nearest interpolation, then convolve with K (odd size, zero padding keeping the size)."""
    return F.conv2d(F.interpolate(x, scale_factor=scale, mode="nearest"), K, padding=K.shape[-1] // 2)


K_avg3 = torch.ones(1, 1, 3, 3) / 9
counts_resize = resize_conv(ones, torch.ones(1, 1, 3, 3))[0, 0]
print("resize + conv k=3: interior values", counts_resize[1:-1, 1:-1].unique().tolist())
assert counts_resize.shape == (16, 16) and counts_resize[1:-1, 1:-1].unique().tolist() == [9]

digits, _ = data.load_mnist(train=False, normalize=False, limit=1)  # the first MNIST test digit, a 7
seven = (digits > 0.5).float()  # in pure black and white
upsampled = {
    "transposed k=3, s=2": F.conv_transpose2d(seven, K_avg3 * 4, stride=2),  # x4: a pixel gets 9/4 copies on average
    "transposed k=4, s=2": F.conv_transpose2d(seven, torch.ones(1, 1, 4, 4) / 4, stride=2),
    "resize + conv k=3": resize_conv(seven, K_avg3),
}
plotting.show_images([seven[0], *(y[0] for y in upsampled.values())], titles=["input 28×28 (binarised)", *upsampled],
                     scale=2.4);

# %%
# Inside a solid stroke the input is constant, so any pattern there is pure artifact.
stroke = {name: y[0, 0] for name, y in upsampled.items()}
full = F.max_pool2d(1 - seven, 3, 1, 1)[0, 0] == 0  # pixels whose 3x3 neighbourhood is all 1.0
r, c = full.nonzero()[0].tolist()
patch_k3 = stroke["transposed k=3, s=2"][2 * r:2 * r + 2, 2 * c:2 * c + 2]
print(f"inside the stroke at input pixel ({r}, {c}), transposed k=3 paints\n{patch_k3}")

# %% [markdown]
# ### Explorer: kernel size vs stride
#
# Change the kernel and the stride and watch the overlap counts (middle, the top-left corner of the output). The
# counts are even when the stride divides the kernel size; when the kernel is smaller than the stride, some pixels
# get no copy at all (holes). Switch to "resize + conv": the counts are even for every kernel size. Both methods
# run your own `trans_conv` and `resize_conv` from above.

# %%
# NBVAL_IGNORE_OUTPUT
board = CheckerboardExplorer(digits[0, 0], trans_conv, resize_conv)
board

# %%
assert board.compute(kernel=3, stride=2, method="transposed conv").uneven
assert not board.compute(kernel=4, stride=2, method="transposed conv").uneven
board.static_figure(kernel=3, stride=2, method="transposed conv");

# %%
# Checks for this section (you can skip this cell)
assert counts_k3.shape == (17, 17) and counts_k4.shape == (18, 18)
assert counts_k3[2, 2:8].tolist() == [4, 2, 4, 2, 4, 2] and counts_k3[3, 2:8].tolist() == [2, 1, 2, 1, 2, 1]
assert phase_sums.max() - phase_sums.min() > 0.5
assert upsampled["transposed k=3, s=2"].shape[2:] == (57, 57) and upsampled["resize + conv k=3"].shape[2:] == (56, 56)
# Where ink and neighbours are all 1.0, transposed k=3 still varies (4/9 x {1, 2, 4}); the others give exactly 1.
torch.testing.assert_close(patch_k3, torch.tensor([[4.0, 2.0], [2.0, 1.0]]) * 4 / 9)  # copies x 4/9
for name in ("transposed k=4, s=2", "resize + conv k=3"):  # the same patch is flat for the other two
    torch.testing.assert_close(stroke[name][2 * r:2 * r + 2, 2 * c:2 * c + 2], torch.ones(2, 2))

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: "a transposed convolution undoes a convolution" ("deconvolution").** It only undoes the *shape*.
# Its matrix is $W^\top$, not $W^{-1}$: applying the same kernel transposed after the convolution does not give the
# input back.

# %%
x_img = torch.randn(1, 1, 5, 5)
round_trip = F.conv_transpose2d(F.conv2d(x_img, Kt[None, None], stride=2), Kt[None, None], stride=2, output_padding=1)
print("shape back:", tuple(round_trip.shape), " largest error:", round((round_trip - x_img).abs().max().item(), 2))

# %% [markdown]
# **Pitfall 2: "`padding=1` makes the output bigger."** For a convolution, padding adds a border, so a 3×3 kernel with
# `padding=1` keeps a 4×4 map at 4×4 where `padding=0` shrinks it to 2×2. For a transposed convolution padding works
# the other way round: it *crops* the output, so `padding=1` gives 4×4 where `padding=0` gives 6×6. To make a
# transposed convolution's output larger, raise the stride or the kernel, not the padding.

# %%
x44, k33 = torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3)
for p in (0, 1):
    print(f"padding={p}: conv2d 4×4 -> {tuple(F.conv2d(x44, k33, padding=p).shape[2:])}, "
          f"conv_transpose2d 4×4 -> {tuple(F.conv_transpose2d(x44, k33, padding=p).shape[2:])}")

# %%
# Checks for this section (you can skip this cell)
assert round_trip.shape == x_img.shape and not torch.allclose(round_trip, x_img, atol=0.1)
assert not torch.allclose(W_conv.T @ W_conv, torch.eye(9))
assert [F.conv2d(x44, k33, padding=p).shape[2:] for p in (0, 1)] == [(2, 2), (4, 4)]
assert [F.conv_transpose2d(x44, k33, padding=p).shape[2:] for p in (0, 1)] == [(6, 6), (4, 4)]
assert transposed_output_size(4, 3, padding=1) == 4 and transposed_output_size(4, 3) == 6

# %% [markdown]
# ## Exercises
#
# Each exercise has a checker. Replace `None` with your answer and run the cell: a wrong answer raises an error
# that says what was expected. The solutions are folded below each exercise (click to expand).
#
# **Exercise 1.** Nearest-neighbour upsampling is a transposed convolution without any checkerboard. Write
# `upsample_by_tconv(X, s)` that equals `F.interpolate(..., scale_factor=s, mode="nearest")` on a matrix `X` with a
# single call to `F.conv_transpose2d`. (Hint: which kernel size makes the copies tile without overlap?)

# %%
upsample_by_tconv = None
cases_1 = [(torch.randn(3, 3), 2), (torch.randn(4, 5), 3), (torch.randn(2, 7), 4)]


def nearest_reference(X: torch.Tensor, s: int) -> torch.Tensor:
    """F.interpolate nearest by an integer factor, on a matrix."""
    return F.interpolate(X[None, None], scale_factor=s, mode="nearest")[0, 0]


checks.check_function("exercise 1: nearest upsampling as a transposed conv", upsample_by_tconv, nearest_reference,
                      cases_1)

# %% jupyter={"source_hidden": true}
# Solution: a kernel of ones of size s with stride s: every input value becomes an s x s block, no overlap.
def upsample_by_tconv(X, s):
    return F.conv_transpose2d(X[None, None], torch.ones(1, 1, s, s), stride=s)[0, 0]


checks.check_function("exercise 1: nearest upsampling as a transposed conv", upsample_by_tconv, nearest_reference,
                      cases_1)

# %% [markdown]
# **Exercise 2 (run it, then read the result).** Measure the checkerboard for yourself. `overlap_range(kernel,
# stride)` below upsamples a constant 8×8 image of ones with your `trans_conv` and a kernel of ones, and returns the
# fewest and the most kernel copies that land on one pixel away from the border. Run it for every pair in `pairs_2`
# and read the table. (a) Which `(kernel, stride)` pairs give even overlap (fewest = most)? (b) Which leave holes,
# pixels that receive no copy at all? Answer both as lists of pairs. (c) Which rule predicts even overlap:
# `"odd"` (the kernel size is odd), `"larger"` (the kernel is larger than the stride) or `"divides"` (the stride
# divides the kernel size)?

# %%
pairs_2 = [(2, 2), (3, 2), (4, 2), (5, 2), (1, 2), (3, 3), (4, 3), (6, 3), (2, 3)]


def overlap_range(kernel: int, stride: int) -> tuple[int, int]:
    """(fewest, most) copies on a pixel away from the border when trans_conv upsamples an 8×8 image of ones."""
    counts = trans_conv(torch.ones(8, 8), torch.ones(kernel, kernel), stride)
    margin = kernel + stride
    interior = counts[margin:-margin, margin:-margin]
    return int(interior.min()), int(interior.max())


def as_pairs(pairs) -> list[tuple[int, int]] | None:
    """The (kernel, stride) pairs sorted, as tuples (None if not attempted)."""
    return None if pairs is None else sorted(tuple(p) for p in pairs)


measured_2 = {pair: overlap_range(*pair) for pair in pairs_2}
answer_2a = None  # e.g. [(3, 2), (5, 2)]
answer_2b = None  # e.g. [(6, 3)]
answer_2c = None  # "odd", "larger" or "divides"
checks.check("exercise 2a: even overlap", as_pairs(answer_2a),
             sorted(p for p, (lo, hi) in measured_2.items() if lo == hi), hint="compare fewest and most for each pair")
checks.check("exercise 2b: holes", as_pairs(answer_2b), sorted(p for p, (lo, _) in measured_2.items() if lo == 0),
             hint="a hole is a pixel with 0 copies")
checks.check("exercise 2c: the rule", answer_2c, "divides", hint="look at (3, 2) and (4, 3): larger, but uneven")

# %% jupyter={"source_hidden": true}
# Solution: the table shows even overlap exactly where the stride divides the kernel size: (2, 2), (4, 2), (3, 3),
# (6, 3), each pixel then gets (k / s)^2 copies. A larger odd or non-multiple kernel, (3, 2), (5, 2), (4, 3), paints
# a checkerboard; a kernel smaller than the stride, (1, 2) and (2, 3), leaves holes (0 copies) between its copies.
# "larger" is not enough and "odd" is wrong: 3 is odd and uneven with stride 2 but even with stride 3. Remember that
# even *counts* still need a kernel whose phase sums agree (section 4): resize-then-convolve avoids the question.
for (k, s), (lo, hi) in measured_2.items():
    verdict = "holes" if lo == 0 else "even" if lo == hi else "uneven"
    print(f"kernel {k}, stride {s}: {lo} to {hi} copies, {verdict}")
answer_2a = [(2, 2), (4, 2), (3, 3), (6, 3)]
answer_2b = [(1, 2), (2, 3)]
answer_2c = "divides"
checks.check("exercise 2a: even overlap", as_pairs(answer_2a),
             sorted(p for p, (lo, hi) in measured_2.items() if lo == hi), hint="compare fewest and most for each pair")
checks.check("exercise 2b: holes", as_pairs(answer_2b), sorted(p for p, (lo, _) in measured_2.items() if lo == 0),
             hint="a hole is a pixel with 0 copies")
checks.check("exercise 2c: the rule", answer_2c, "divides", hint="look at (3, 2) and (4, 3): larger, but uneven")

# %% [markdown]
# ## Summary
#
# * Decoders grow feature maps back. `F.interpolate` does it without parameters: nearest copies each value into an
#   $s \times s$ block, bilinear blends neighbours (`[1, 2]` becomes `[1, 1.25, 1.75, 2]`). Neither brings back the
#   detail that pooling threw away.
# * A transposed convolution upsamples with a learnable kernel: each input value scatters a scaled copy of it.
#   Output size $(n-1)s - 2p + k$ (padding crops); its matrix is $W^\top$, not an inverse, and it is how PyTorch
#   computes a convolution's input gradient. `output_padding` picks which of the input sizes a strided convolution
#   merged to give back (5 or 6 from 3).
# * When the stride does not divide the kernel size, copies overlap unevenly and paint a checkerboard (counts 4, 2, 1
#   for k=3, s=2); when the kernel is smaller than the stride they leave holes. A stride that divides the kernel size
#   is necessary but not sufficient: a learned k=4, s=2 kernel whose four 2×2 subsets sum differently paints one
#   too. Resize-then-convolve avoids it.
#
# Next: **06 · LeNet** — convolutions, pooling and a classifier put together and trained on MNIST.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | upsampling, downsampling | 上采样，下采样 |
# | encoder, decoder | 编码器，解码器 |
# | semantic segmentation | 语义分割 |
# | interpolation | 插值 |
# | nearest-neighbour interpolation | 最近邻插值 |
# | bilinear interpolation | 双线性插值 |
# | transposed convolution | 转置卷积 |
# | fractionally-strided convolution | 微步卷积 / 部分跨越卷积 |
# | deconvolution (a misleading name) | 反卷积（容易误解的名称） |
# | kernel, stride, padding | 卷积核，步幅，填充 |
# | output padding | 输出填充 |
# | strided convolution | 跨步卷积 |
# | transpose (of a matrix) | （矩阵的）转置 |
# | checkerboard artifact | 棋盘效应 |
# | overlap | 重叠 |
