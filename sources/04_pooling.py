# %% [markdown]
# # 04 · Pooling: shrinking feature maps, one window at a time
#
# **What you will learn**
#
# 1. What max and average pooling compute, by writing `pool2d` with loops and checking it against PyTorch.
# 2. How window, stride, padding and `ceil_mode` set the output size, and why `nn.MaxPool2d(2)` on a 5×5 map drops a
#    row and a column.
# 3. That pooling works on each channel separately and has no parameters; how `return_indices` and `MaxUnpool2d`
#    put maxima back where they came from.
# 4. How adaptive and global average pooling turn any input size into a fixed output size.
# 5. How gradients flow back through max and average pooling.
# 6. *Why* networks pool: a convolution's output moves with a shift of its input; pooling adds a little invariance,
#    so a small shift changes pooled features less, and blurring before subsampling (anti-aliased pooling) helps more.
#
# Everything runs on a laptop CPU in seconds. Every number the text states is computed in a cell and checked, either
# in that cell or in the folded "Checks for this section" cell at the end of its section (you can skip those).

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from torch import nn

from helpers import checks, data, plotting
from helpers.inspect import conv_output_shape, count_params
from helpers.widgets.pooling import PoolingExplorer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown]
# ## 1. The idea
#
# A convolution tells us *where* a pattern is, pixel by pixel. Often we only care *whether* it is there,
# roughly where: a stroke of a "7" that moved by one pixel is still the same stroke. A **pooling** layer
# summarises each small window of a feature map by one number: its **maximum** ("is the pattern anywhere in
# here?") or its **average** ("how much of it is in here?"). With a 2×2 window and stride 2 it halves the height
# and the width, so later layers do a quarter of the work and each of their outputs sees a larger part of the image.
#
# Pooling slides a window exactly like cross-correlation, but instead of a weighted sum with a learned kernel it
# takes a fixed max or mean: there is nothing to learn.

# %% [markdown]
# ## 2. `pool2d` from scratch
#
# Our `pool2d` takes a window size and, like the loop in the cross-correlation notebook, moves the window one pixel at a
# time unless told otherwise. Padding adds a border first: `-inf` for max pooling (it can never win) and 0 for average
# pooling (PyTorch's default counts those zeros in the mean).

# %%
def pair(v: int | tuple[int, int]) -> tuple[int, int]:
    """(v, v) for an int, v itself for a pair."""
    return (v, v) if isinstance(v, int) else tuple(v)


def pool2d(X: torch.Tensor, pool_size: int | tuple[int, int], mode: str = "max",
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """Max or average pooling of a matrix X, written with loops; stride 1 unless told."""
    (p_h, p_w), (s_h, s_w), (pad_h, pad_w) = pair(pool_size), pair(stride), pair(padding)
    X = F.pad(X, (pad_w, pad_w, pad_h, pad_h), value=float("-inf") if mode == "max" else 0.0)
    Y = torch.zeros((X.shape[0] - p_h) // s_h + 1, (X.shape[1] - p_w) // s_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


X = torch.arange(9.0).reshape(3, 3)
print(X)
print("max:", pool2d(X, (2, 2)).tolist())
print("avg:", pool2d(X, (2, 2), "avg").tolist())

# %%
assert pool2d(X, (2, 2)).tolist() == [[4, 5], [7, 8]]

# %% [markdown]
# PyTorch's `F.max_pool2d` and `F.avg_pool2d` compute the same thing. We compare on random inputs of several shapes,
# windows, strides and paddings (all-negative inputs, so a padded zero would show up as a wrong maximum):

# %%
cases = [((5, 7), (2, 2), 1, 0), ((8, 6), (3, 3), 2, 1), ((9, 9), (2, 3), (2, 3), (0, 1)), ((6, 11), (4, 4), 3, 2),
         ((7, 7), (1, 1), 2, 0)]
for shape, window, stride, padding in cases:
    A = torch.randn(shape) - 5
    for mode, reference in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        expected = reference(A[None, None], window, stride, padding)[0, 0]
        torch.testing.assert_close(pool2d(A, window, mode, stride, padding), expected)
print(f"pool2d == F.max_pool2d and F.avg_pool2d on {len(cases)} random inputs, each in both modes")

# %%
# Checks for this section (you can skip this cell)
assert pool2d(X, (2, 2), "avg").tolist() == [[2, 3], [5, 6]]  # (0 + 1 + 3 + 4) / 4 = 2

# %% [markdown]
# ## 3. `nn.MaxPool2d`: the stride defaults to the window
#
# Our `pool2d` moves one pixel at a time. The layers `nn.MaxPool2d` and `nn.AvgPool2d` do **not**: their `stride`
# defaults to the window size, so windows tile the input without overlapping. On the same 3×3 `X`:

# %%
layer_out = nn.MaxPool2d(2)(X[None, None])
print("nn.MaxPool2d(2):", layer_out[0, 0].tolist())
assert layer_out[0, 0].tolist() == [[4]]  # one whole window fits; the last row and column are dropped

# %% [markdown]
# The classic example: a 4×4 map pooled with 2×2 windows. Each window gives its maximum; 16 values become 4.

# %%
X4 = torch.tensor([[3.0, 4, 6, 5], [2, 4, 6, 8], [1, 6, 7, 8], [9, 7, 4, 6]])
pooled4 = nn.MaxPool2d(kernel_size=2)(X4[None, None])
print(pooled4)
assert pooled4.shape == (1, 1, 2, 2) and pooled4[0, 0].tolist() == [[4, 8], [9, 8]]

# %% [markdown]
# The 5×5 worked example from the padding-and-stride notebook gives **the same** 2×2 result: with stride 2 only two
# windows fit along each side, so the last row and the last column are never looked at. "Pooling by 2 halves the size"
# is only true for even sizes: $\lfloor (5 - 2)/2 \rfloor + 1 = 2$.

# %%
X5 = torch.tensor([[3.0, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]])
pooled5 = nn.MaxPool2d(kernel_size=2)(X5[None, None])
print(pooled5)

# %%
fig, axes = plt.subplots(1, 2, figsize=(6, 3), gridspec_kw={"width_ratios": [5, 2]})
plotting.draw_grid(axes[0], X5, (0, 0, 2, 2), "5×5 input: four 2×2 windows")
for (r, c), colour in zip([(0, 2), (2, 0), (2, 2)], ["darkorange", "seagreen", "royalblue"], strict=True):
    axes[0].add_patch(Rectangle((c - 0.5, r - 0.5), 2, 2, fill=False, ec=colour, lw=3))
plotting.draw_grid(axes[1], pooled5[0, 0], None, "MaxPool2d(2)", cmap="Greens")
fig.tight_layout()

# %% [markdown]
# Row 4 and column 4 lie in no window, so they are dropped: the 7 in the top-right corner never reaches the output.

# %%
# Checks for this section (you can skip this cell)
assert torch.equal(layer_out[0, 0], pool2d(X, 2, stride=2))
assert pooled5[0, 0].tolist() == [[4, 8], [9, 8]] and torch.equal(pooled5, pooled4)

# %% [markdown]
# ## 4. Padding, stride, rectangular windows and `ceil_mode`
#
# Pooling layers take the same `kernel_size`, `stride` and `padding` arguments as convolutions, as ints or
# (height, width) pairs, so the output size follows the same formula,
# $\lfloor (n + 2p - k)/s \rfloor + 1$ per side. On a 4×4 `arange`:

# %%
X16 = torch.arange(16.0).reshape(1, 1, 4, 4)
configs = {
    "MaxPool2d(3)": nn.MaxPool2d(3),
    "MaxPool2d(3, padding=1, stride=2)": nn.MaxPool2d(3, padding=1, stride=2),
    "MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))": nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1)),
}
outputs = {name: layer(X16) for name, layer in configs.items()}
for name, out in outputs.items():
    print(f"{name:>50}: {out[0, 0].tolist()}")

# %% [markdown]
# **`ceil_mode=True`** rounds the division up instead of down, so a last, partial window is kept instead of dropped.
# On the 5×5 example the dropped row and column come back, and the corner 7 reaches the output:

# %%
ceiled = nn.MaxPool2d(2, ceil_mode=True)(X5[None, None])
print(ceiled)
assert ceiled[0, 0].tolist() == [[4, 8, 7], [9, 8, 4], [7, 5, 1]]

# %% [markdown]
# `helpers.inspect.conv_output_shape` implements the formula (with PyTorch's extra rule that a `ceil_mode` window
# must start inside the input). It agrees with the layers on every combination we try:

# %%
n_checked = 0
for n in (5, 6, 7, 13, 28):
    for k in (1, 2, 3, 4):
        for s in (1, 2, 3):
            for p in range(k // 2 + 1):  # PyTorch allows padding up to half the window
                for ceil in (False, True):
                    out = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=ceil)
                    assert out.shape[2:] == conv_output_shape(n, k, p, s, ceil_mode=ceil), (n, k, s, p, ceil)
                    n_checked += 1
print(f"conv_output_shape == MaxPool2d's shape on {n_checked} combinations")

# %%
# Checks for this section (you can skip this cell)
assert n_checked == 5 * 3 * (1 + 2 + 2 + 3) * 2 == 240  # n, s, (k, p) pairs, ceil
assert conv_output_shape(5, 2, stride=2) == (2, 2) and torch.equal(X5[:4, :4], X4)
assert conv_output_shape(5, 2, stride=2, ceil_mode=True) == (3, 3)
assert outputs["MaxPool2d(3)"][0, 0].tolist() == [[10]]
assert outputs["MaxPool2d(3, padding=1, stride=2)"][0, 0].tolist() == [[5, 7], [13, 15]]
assert outputs["MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))"][0, 0].tolist() == [[5, 7], [13, 15]]
for layer, out in zip(configs.values(), outputs.values(), strict=True):
    assert out.shape[2:] == conv_output_shape(4, layer.kernel_size, layer.padding, layer.stride)
    torch.testing.assert_close(out[0, 0], pool2d(X16[0, 0], layer.kernel_size, "max", layer.stride, layer.padding))

# %% [markdown]
# ## 5. Remembering where the maxima were: `return_indices` and `MaxUnpool2d`
#
# With `return_indices=True`, max pooling also returns *where* each maximum came from, as a flat index into the
# input (row × width + column). `nn.MaxUnpool2d` uses those indices to put every maximum back in its place and
# zeros everywhere else. Encoder–decoder networks for segmentation (SegNet) use this to upsample sharply; the
# upsampling notebook covers the other ways back up.

# %%
pooled, indices = nn.MaxPool2d(2, return_indices=True)(X4[None, None])
unpooled = nn.MaxUnpool2d(2)(pooled, indices)
print("indices:", indices[0, 0].tolist())
print(unpooled[0, 0])

# %%
assert indices[0, 0].tolist() == [[1, 7], [12, 11]]  # e.g. 12 = row 3 * 4 + column 0: the 9

# %% [markdown]
# Pooling a 5×5 map gives 2×2, and unpooling 2×2 gives 4×4 by default: pass `output_size` to get 5×5 back.

# %%
p5, i5 = F.max_pool2d(X5[None, None], 2, return_indices=True)
print("unpooled:", tuple(F.max_unpool2d(p5, i5, 2).shape),
      " with output_size=(5, 5):", tuple(F.max_unpool2d(p5, i5, 2, output_size=(5, 5)).shape))

# %% [markdown]
# ### Where the gradient goes
#
# Max pooling has no weights, but gradients must pass through it to reach the layers below. Each output is one of
# its window's values, copied; nudge that value and the output moves by the same amount, nudge any other value of
# the window (a little) and nothing happens. So the backward pass sends each output's gradient to its window's
# **argmax**, the position `return_indices` reports, and zero to every other input. Average pooling instead
# spreads each output's gradient evenly, $1/4$ to each of the four inputs of a 2×2 window:

# %%
x4 = X4[None, None].clone().requires_grad_()
F.max_pool2d(x4, 2).sum().backward()  # d(sum of outputs)/d(input): 1 where an output came from, else 0
max_grad = x4.grad[0, 0].clone()
x4.grad = None
F.avg_pool2d(x4, 2).sum().backward()
print("max pooling's gradient:\n", max_grad, "\naverage pooling's gradient:\n", x4.grad[0, 0])

# %%
# the gradient is 1 exactly at the positions return_indices reported, 0 elsewhere: only 4 of 16 inputs learn
assert torch.equal(max_grad.flatten().nonzero().flatten(), indices.flatten().sort().values)

# %%
# Checks for this section (you can skip this cell)
assert X4.flatten()[indices[0, 0].flatten()].tolist() == [4, 8, 9, 8]
# The top-left window holds two 4s (flat indices 1 and 5): PyTorch currently keeps the first (not a documented promise).
assert X4[0, 1] == X4[1, 1] == 4
# Unpooling keeps the 4 maxima in place and zeros the other 12 values.
assert (unpooled[0, 0] != 0).sum() == 4
assert torch.equal(unpooled[0, 0].flatten()[indices.flatten()], pooled.flatten())
assert F.max_unpool2d(p5, i5, 2).shape == (1, 1, 4, 4)
assert F.max_unpool2d(p5, i5, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
assert int(max_grad.sum()) == 4 and torch.equal(x4.grad, torch.full_like(x4, 0.25))

# %% [markdown]
# ## 6. Channels and parameters
#
# A pooling layer pools each channel on its own: three colour channels in, the same three channels out,
# never mixed. And it has nothing to learn.

# %%
rgb = data.load_photo("astronaut", gray=False, size=128)  # (3, 128, 128)
max4, avg4 = nn.MaxPool2d(4)(rgb[None])[0], nn.AvgPool2d(4)(rgb[None])[0]
print("input", tuple(rgb.shape), "-> max", tuple(max4.shape), "avg", tuple(avg4.shape))
assert max4.shape == avg4.shape == (3, 32, 32)
plotting.show_images([rgb, max4, avg4], titles=["input 128×128", "max pool 4 → 32×32", "avg pool 4 → 32×32"],
                     scale=2.4);

# %%
# Checks for this section (you can skip this cell)
per_channel = torch.stack([F.max_pool2d(c[None], 4)[0] for c in rgb])  # one channel at a time
assert torch.equal(per_channel, max4)
assert count_params(nn.MaxPool2d(4)) == count_params(nn.AvgPool2d(4)) == 0
assert count_params(nn.Conv2d(3, 3, 4, stride=4)) == 3 * 3 * 4 * 4 + 3 == 147  # a learnable downsampler
assert (max4 >= avg4).all()  # a maximum is never below the mean: max pooling looks brighter

# %% [markdown]
# ## 7. Adaptive and global average pooling
#
# `nn.AdaptiveAvgPool2d(output_size)` chooses the windows for you, so that *any* input gives exactly
# `output_size`. For output row $i$ of $m$ over an input of $n$ rows it averages rows
# $\lfloor i n / m \rfloor$ up to (not including) $\lceil (i+1) n / m \rceil$; windows may overlap or differ in size.

# %%
def adaptive_windows(n: int, m: int) -> list[tuple[int, int]]:
    """(start, end) of each of the m adaptive-pooling windows over n rows."""
    return [(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]


def adaptive_avg_pool2d(X: torch.Tensor, output_size: tuple[int, int]) -> torch.Tensor:
    """Adaptive average pooling of a matrix X to `output_size`, written with loops."""
    rows, cols = adaptive_windows(X.shape[0], output_size[0]), adaptive_windows(X.shape[1], output_size[1])
    return torch.tensor([[X[a:b, c:d].mean().item() for c, d in cols] for a, b in rows])


print("7 rows -> 3:", adaptive_windows(7, 3))

# %%
for shape, size in [((7, 7), (3, 3)), ((28, 28), (7, 7)), ((10, 13), (4, 5)), ((5, 5), (7, 7)), ((9, 4), (1, 1))]:
    A = torch.randn(shape)
    torch.testing.assert_close(adaptive_avg_pool2d(A, size), nn.AdaptiveAvgPool2d(size)(A[None, None])[0, 0])
print("adaptive_avg_pool2d == nn.AdaptiveAvgPool2d on 5 shapes, including 5x5 -> 7x7 (windows repeat)")

# %% [markdown]
# **Global average pooling** is the special case `output_size=1`: one number per channel, the mean of the whole
# map. GoogLeNet (the Inception notebook) and ResNet (the ResNet notebook) end with it instead of a large fully
# connected layer, so the same head works for any image size:

# %%
head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
for size in (28, 32, 45):
    feature_map = torch.randn(2, 16, size, size)
    gap = nn.AdaptiveAvgPool2d(1)(feature_map)
    torch.testing.assert_close(gap, feature_map.mean(dim=(2, 3), keepdim=True))
    assert head(feature_map).shape == (2, 10)
print("global average pooling: (2, 16, n, n) -> (2, 16, 1, 1) for n = 28, 32, 45; the head gives (2, 10) each time")

# %%
# Checks for this section (you can skip this cell)
assert adaptive_windows(7, 3) == [(0, 3), (2, 5), (4, 7)]  # overlapping windows of 3 rows
assert adaptive_windows(8, 4) == [(0, 2), (2, 4), (4, 6), (6, 8)]  # divides evenly: a plain AvgPool2d(2)

# %% [markdown]
# ## 8. Why pool? Shift an edge by one pixel
#
# A convolution is translation-**equivariant** (the cross-correlation notebook checked it on a photo): shift the
# input and the output shifts the same way. Its answer to "where is the edge?" moves with the edge. Pooling adds a
# little local **invariance**: after a 2×2 max pool the output does not move at all, as long as the edge stays
# inside one pooling window.
#
# The cross-correlation notebook's edge kernel was `[[1, -1]]`, which gives −1 where black (0) turns white (1). Here
# we use its negative, `[[-1, 1]]`, so that this edge gives +1 and max pooling keeps it. Move the edge one pixel to
# the right at a time:

# %%
def edge_image(col: int) -> torch.Tensor:
    """A 6x8 image (1, 1, 6, 8): black left of column `col`, white from it on."""
    img = torch.zeros(1, 1, 6, 8)
    img[..., col:] = 1
    return img


K_step = torch.tensor([[[[-1.0, 1.0]]]])
conv_rows, pooled_rows = {}, {}
for col in (3, 4, 5):
    conv_out = F.conv2d(edge_image(col), K_step)
    conv_rows[col], pooled_rows[col] = conv_out[0, 0, 0].tolist(), F.max_pool2d(conv_out, 2)[0, 0, 0].tolist()
    print(f"edge at column {col}: conv row {conv_rows[col]}  pooled row {pooled_rows[col]}")

# %%
assert pooled_rows[3] == pooled_rows[4] == [0, 1, 0]  # the shift 3 -> 4 stays inside one window: no change

# %% [markdown]
# So pooling does not make a network shift-invariant; it makes it *less sensitive* to small shifts. We can
# measure that on real handwriting: take 64 MNIST test digits, compute edge features (ReLU of two Sobel filters),
# and compare the features of each digit with those of the same digit moved one pixel right (cosine similarity,
# 1 = identical). The larger the pooling window, the more alike they stay.

# %%
digits, labels = data.load_mnist(train=False, normalize=False, limit=64)
shifted = torch.roll(digits, 1, dims=3)
sobel = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
sobel_xy = torch.stack([sobel, sobel.T])[:, None]  # (2, 1, 3, 3): vertical and horizontal edges


def edge_features(x: torch.Tensor, pool: int) -> torch.Tensor:
    """ReLU(Sobel) feature maps, max pooled with window `pool` (1 = no pooling)."""
    f = F.relu(F.conv2d(x, sobel_xy, padding=1))
    return F.max_pool2d(f, pool) if pool > 1 else f


similarity = {pool: F.cosine_similarity(edge_features(digits, pool).flatten(1),
                                        edge_features(shifted, pool).flatten(1)).mean().item() for pool in (1, 2, 4)}
print("mean cosine similarity, digit vs digit shifted 1 px:",
      ", ".join(f"pool {p}: {s:.2f}" for p, s in similarity.items()))

# %% [markdown]
# ### Strided convolution, max pooling and anti-aliased pooling
#
# Networks shrink feature maps in three common ways: a **strided convolution** (compute every window, keep every
# second one), **max pooling**, or, since Zhang (2019, *Making convolutional networks shift-invariant again*),
# **anti-aliased pooling**: take the max over 2×2 windows at stride 1, **blur** with the small kernel
# $\frac{1}{16}[1, 2, 1]^\top[1, 2, 1]$, and only then keep every second pixel. Keeping every second pixel of a
# map that has sharp detail is what makes a 1-pixel shift change so much (signal processing calls it *aliasing*);
# the blur removes that detail first. The same 64 digits, the same edge features, each way of halving the map:

# %%
blur_121 = (torch.tensor([1.0, 2, 1])[:, None] * torch.tensor([1.0, 2, 1]) / 16).expand(2, 1, 3, 3)
HALVE = {
    "stride 2 (keep every 2nd)": lambda f: f[..., ::2, ::2],  # = the Sobel convolution run with stride=2
    "max pool 2": lambda f: F.max_pool2d(f, 2),
    "anti-aliased max pool 2": lambda f: F.conv2d(F.max_pool2d(f, 2, stride=1), blur_121, stride=2, padding=1,
                                                  groups=2),
}
per_digit = {}
for name, halve in HALVE.items():
    a, b = (halve(edge_features(x, pool=1)) for x in (digits, shifted))
    per_digit[name] = F.cosine_similarity(a.flatten(1), b.flatten(1))
    s = per_digit[name]
    print(f"{name:>25}: similarity {s.mean():.2f} on average (digits range {s.min():.2f} to {s.max():.2f})")
better = (per_digit["anti-aliased max pool 2"] > per_digit["max pool 2"]).float().mean().item()
print(f"anti-aliased beats plain max pooling on {better:.0%} of the digits")

# %% [markdown]
# Keeping every second pixel is no steadier than no downsampling at all (about 0.7 either way); max pooling helps,
# and blurring before subsampling helps more, on nearly every digit. Zhang's paper measured the same on ImageNet
# classifiers: anti-aliased ResNets change their prediction under small shifts less often, and are slightly more
# accurate too.

# %%
# Checks for this section (you can skip this cell)
assert conv_rows[4] == [0, *conv_rows[3][:-1]] and conv_rows[5] == [0, *conv_rows[4][:-1]]  # moves along: equivariant
assert pooled_rows[5] == [0, 0, 1]  # the shift 4 -> 5 crosses a window boundary: the pooled output moves too
assert digits[..., -1].sum() == 0  # an empty last column: rolling right by one is a clean shift
assert similarity[1] < similarity[2] < similarity[4]
assert similarity[1] < 0.75 and similarity[4] > 0.9
mean_sim = {name: s.mean().item() for name, s in per_digit.items()}
assert mean_sim["stride 2 (keep every 2nd)"] < mean_sim["max pool 2"] < mean_sim["anti-aliased max pool 2"]
assert better > 0.9
assert abs(mean_sim["max pool 2"] - 0.83) < 0.01 and abs(mean_sim["anti-aliased max pool 2"] - 0.90) < 0.01
assert abs(mean_sim["stride 2 (keep every 2nd)"] - similarity[1]) < 0.05  # no steadier than no downsampling

# %% [markdown]
# ## 9. Explorer: pooling a digit
#
# Move the sliders. The outlined squares are the first three windows (output cells (0,0), (0,1) and (1,0)), so you
# see the stride: when it is smaller than the window, windows overlap; when larger, pixels are skipped. Padding
# appears in blue. The right panel is *your* `pool2d` from section 2, drawn at the same pixel scale, with its shape
# checked against `conv_output_shape` and its values against `F.max_pool2d` / `F.avg_pool2d`. Try window 2 /
# stride 2 on the digit, then window 3 / stride 2 / padding 1, then padding 2 with window 3 (PyTorch refuses it).
# (Any grey image works: `PoolingExplorer(data.load_photo("coins", size=64), pool2d)`.)

# %%
# NBVAL_IGNORE_OUTPUT
digit = digits[0, 0]
pool_explorer = PoolingExplorer(digit, pool2d)
pool_explorer

# %%
state = pool_explorer.compute(window=3, stride=2, padding=1, mode="avg")
assert state.shape == state.expected_shape == (14, 14) and state.matches_torch and state.overlap
pool_explorer.static_figure(window=3, stride=2, padding=1, mode="max");

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: "`nn.MaxPool2d(2)` is the same as `pool2d(X, (2, 2))`."** The loop version in many tutorials moves
# the window by one pixel; the layer's `stride` defaults to the window size. On the 3×3 `X` of section 2 one gives
# 2×2, the other 1×1 (section 3). Read the stride before you read the output.
#
# **Pitfall 2: "max pooling pads with zeros."** One learner's notes describe `padding` as "zeros added to each
# border". For max pooling that is wrong: the border is `-inf`, so it never wins. For average pooling it *is*
# zeros, and they are counted in the mean unless you pass `count_include_pad=False`:

# %%
negative = -torch.ones(1, 1, 4, 4)
print("max, padding 1:", F.max_pool2d(negative, 3, 1, padding=1)[0, 0, 0].tolist())
print("avg, padding 1:", [round(v, 4) for v in F.avg_pool2d(negative, 3, 1, padding=1)[0, 0, 0].tolist()])
print("avg, padding 1, count_include_pad=False:",
      F.avg_pool2d(negative, 3, 1, padding=1, count_include_pad=False)[0, 0, 0].tolist())

# %% [markdown]
# **Pitfall 3: "pooling by 2 halves the size."** Only for even sizes. A 7×7 map pooled by 2 becomes 3×3 and 13 of
# its 49 values never reach the output. Use `ceil_mode=True`, padding, or an even size if the border matters.

# %%
print("7×7, MaxPool2d(2):", conv_output_shape(7, 2, stride=2), " with ceil_mode=True:",
      conv_output_shape(7, 2, stride=2, ceil_mode=True))

# %% [markdown]
# **Pitfall 4: "conv → pool → ReLU or conv → ReLU → pool: the order doesn't matter."** A learner's note says so.
# It is true for *max* pooling (both are monotone, so they commute) but not for *average* pooling: the mean of
# ReLUs is not the ReLU of the mean.

# %%
torch.manual_seed(0)
fmap = torch.randn(1, 4, 8, 8)
print("max pooling: the two orders agree:", torch.equal(F.relu(F.max_pool2d(fmap, 2)), F.max_pool2d(F.relu(fmap), 2)))
gap = (F.relu(F.avg_pool2d(fmap, 2)) - F.avg_pool2d(F.relu(fmap), 2)).abs().max().item()
print(f"avg pooling: largest difference between the two orders = {gap:.2f}")

# %%
# Checks for this section (you can skip this cell)
assert (F.max_pool2d(negative, 3, 1, padding=1) == -1).all()  # a zero border would have given 0
corner = F.avg_pool2d(negative, 3, 1, padding=1)[0, 0, 0, 0]
assert torch.isclose(corner, torch.tensor(-4 / 9))  # 4 real -1s and 5 padded zeros, divided by 9
assert (F.avg_pool2d(negative, 3, 1, padding=1, count_include_pad=False) == -1).all()
assert conv_output_shape(7, 2, stride=2) == (3, 3) and 7 * 7 - 6 * 6 == 13
assert conv_output_shape(7, 2, stride=2, ceil_mode=True) == (4, 4)
assert torch.equal(F.relu(F.max_pool2d(fmap, 2)), F.max_pool2d(F.relu(fmap), 2))
assert gap > 0.1

# %% [markdown]
# ## Exercises
#
# Each exercise has a checker. Replace `None` with your answer and run the cell: a wrong answer raises an error
# that says what was expected. The solutions are folded below each exercise (click to expand).
#
# **Exercise 1.** A batch of 16-channel feature maps has shape (1, 16, 14, 14). What shape comes out of
# `nn.MaxPool2d(3, stride=2, ceil_mode=True)`? Answer as a tuple of four ints.

# %%
answer_1 = None  # e.g. (batch, channels, height, width)
checks.check("exercise 1: pooled shape", answer_1,
             tuple(nn.MaxPool2d(3, stride=2, ceil_mode=True)(torch.zeros(1, 16, 14, 14)).shape))

# %% jupyter={"source_hidden": true}
# Solution: channels unchanged; each side ceil((14 - 3) / 2) + 1 = ceil(5.5) + 1 = 7 (floor would give 6).
answer_1 = (1, 16, 7, 7)
checks.check("exercise 1: pooled shape", answer_1,
             tuple(nn.MaxPool2d(3, stride=2, ceil_mode=True)(torch.zeros(1, 16, 14, 14)).shape))

# %% [markdown]
# **Exercise 2.** Average pooling is a convolution with a fixed kernel. Write `avg_pool_by_conv(X, k)` that computes
# `nn.AvgPool2d(k)` on a matrix `X` (shape (H, W)) with a single call to `F.conv2d`.

# %%
avg_pool_by_conv = None
cases_2 = [(torch.randn(6, 6), 2), (torch.randn(9, 7), 3), (torch.randn(8, 12), 4)]


def avg_pool_reference(X: torch.Tensor, k: int) -> torch.Tensor:
    """nn.AvgPool2d(k) on a matrix."""
    return nn.AvgPool2d(k)(X[None, None])[0, 0]


checks.check_function("exercise 2: average pooling as a convolution", avg_pool_by_conv, avg_pool_reference, cases_2)

# %% jupyter={"source_hidden": true}
# Solution: a k x k kernel of 1/k^2, moved k pixels at a time.
def avg_pool_by_conv(X, k):
    return F.conv2d(X[None, None], torch.full((1, 1, k, k), 1 / k**2), stride=k)[0, 0]


checks.check_function("exercise 2: average pooling as a convolution", avg_pool_by_conv, avg_pool_reference, cases_2)

# %% [markdown]
# **Exercise 3 (run it, then read the result).** With windows that overlap, an input can be the maximum of several
# windows. Take `x_ex` below (16 different values), pool it with `F.max_pool2d(x, 3, stride=1)` (four 3×3 windows
# that overlap) and backpropagate the sum of the outputs. (a) Which positions receive a non-zero gradient? Answer
# as a list of `(row, col)` pairs. (b) How much gradient does the largest value of `x_ex` receive, and why that
# number? Predict first, then run the backward pass and read `x.grad`.

# %%
x_ex = torch.randperm(16, generator=torch.Generator().manual_seed(4)).float().reshape(4, 4)
print(x_ex)


def positions_to_mask(positions) -> torch.Tensor | None:
    """A 4×4 map with 1 at each (row, col) listed, 0 elsewhere (None if not attempted)."""
    if positions is None:
        return None
    mask = torch.zeros(4, 4)
    for row, col in positions:
        mask[row, col] = 1
    return mask


x_req = x_ex[None, None].clone().requires_grad_()
F.max_pool2d(x_req, 3, stride=1).sum().backward()
answer_3a = None  # e.g. [(0, 1), (2, 3)]
answer_3b = None  # a number
checks.check("exercise 3a: positions that receive gradient", positions_to_mask(answer_3a),
             (x_req.grad[0, 0] != 0).float(), hint="each of the 4 windows sends its gradient to its own maximum; "
             "two windows may share one")
checks.check("exercise 3b: the largest value's gradient", answer_3b, x_req.grad[0, 0].max(),
             hint="count the windows that contain the largest value")

# %% jupyter={"source_hidden": true}
# Solution: the four 3×3 windows of a 4×4 input all contain the central 2×2 block. The largest value, 15, sits
# there, so it is the maximum of all four windows and collects their four gradients of 1: grad = 4. No other
# position receives anything, though 16 inputs went in: max pooling trains only the winners.
x = x_ex[None, None].clone().requires_grad_()
F.max_pool2d(x, 3, stride=1).sum().backward()
print(x.grad[0, 0])
answer_3a = [tuple(rc) for rc in x.grad[0, 0].nonzero().tolist()]
answer_3b = x.grad[0, 0].max()
checks.check("exercise 3a: positions that receive gradient", positions_to_mask(answer_3a),
             (x_req.grad[0, 0] != 0).float(), hint="each of the 4 windows sends its gradient to its own maximum; "
             "two windows may share one")
checks.check("exercise 3b: the largest value's gradient", answer_3b, x_req.grad[0, 0].max(),
             hint="count the windows that contain the largest value")

# %% [markdown]
# ## Summary
#
# * Pooling summarises each window by its max or mean: no parameters, one channel at a time.
#   `arange(9)` with a 2×2 window and stride 1 gives max `[[4, 5], [7, 8]]` and average `[[2, 3], [5, 6]]`.
# * `nn.MaxPool2d(k)` uses stride k by default. Output size per side is $\lfloor (n + 2p - k)/s \rfloor + 1$: the 4×4
#   and the 5×5 examples both give `[[4, 8], [9, 8]]`; `ceil_mode=True` keeps the partial window (3×3).
# * `return_indices` + `MaxUnpool2d` put maxima back in place; adaptive pooling reaches any output size, and
#   global average pooling (output 1×1) lets one head accept any image size.
# * A convolution is translation-equivariant (its output moves with the input); pooling adds a little local
#   invariance, making features less sensitive to small shifts (cosine similarity of shifted digits rose from about
#   0.7 to above 0.9), but only shifts that stay inside a window leave the output unchanged.
# * Max pooling's backward pass sends each output's gradient to its window's argmax (only 4 of 16 inputs get any
#   in the 4×4 example); average pooling spreads it evenly.
# * Halving a map by keeping every second pixel is as shift-sensitive as no pooling (cosine similarity about 0.7);
#   max pooling is steadier (0.83) and blurring before subsampling (anti-aliased pooling, Zhang 2019) more so (0.90).
#
# Next: **05 · Upsampling** — growing feature maps back: interpolation, the transposed convolution and its
# checkerboard.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | pooling (layer) | 汇聚层 / 池化层 |
# | max pooling, average pooling | 最大汇聚，平均汇聚 |
# | pooling window | 汇聚窗口 |
# | stride, padding | 步幅，填充 |
# | ceil / floor | 向上取整 / 向下取整 |
# | downsampling | 下采样 |
# | unpooling | 反池化 |
# | adaptive pooling | 自适应汇聚 |
# | global average pooling | 全局平均汇聚 |
# | translation equivariance | 平移等变性 |
# | translation invariance | 平移不变性 |
# | argmax (where the maximum is) | 最大值所在位置 |
# | strided convolution | 跨步卷积 |
# | aliasing, anti-aliasing (blur pool) | 混叠，抗混叠（模糊汇聚） |
# | cosine similarity | 余弦相似度 |
