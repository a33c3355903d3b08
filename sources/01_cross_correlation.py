# %% [markdown]
# # 01 · Cross-correlation: the operation inside every convolutional layer
#
# **What you will learn**
#
# 1. Why a fully connected network cannot look at photos, and what *locality* and *weight sharing* buy us.
# 2. How to compute a 2-D cross-correlation by hand, with loops, and what shape comes out.
# 3. Why deep learning's "convolution" is really cross-correlation, and why nobody minds.
# 4. How a kernel detects edges — on a toy matrix and on a real photograph.
# 5. How gradient descent *learns* a kernel from examples.
# 6. What a receptive field is, and why nobody computes convolutions with Python loops.
#
# Everything below runs on a laptop CPU in a few seconds. Every number the text states is computed in a cell and
# checked in the folded "Checks for this section" cell at the end of each section: if the text and the code ever
# disagreed, that cell would stop with an error. You can skip those cells.

# %%
import time

import torch
import torch.nn.functional as F
from torch import nn

from helpers import checks, data, plotting
from helpers.widgets import CorrelationStepper, KernelEditor

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown]
# ## 1. Why not a fully connected network?
#
# A phone photo has about 12 million pixels, each with 3 colour values. Feed it to a multilayer perceptron whose
# first hidden layer has only 100 units: every unit needs one weight per input value.

# %%
pixels, colours, hidden = 12_000_000, 3, 100
mlp_weights = pixels * colours * hidden
print(f"first-layer weights: {mlp_weights:,}  (= {mlp_weights / 1e9:.1f} billion)")

# %% [markdown]
# 3.6 billion weights for one small layer: about 14 GB of float32, before we have learned anything. Two
# observations about images cut that down to a handful of numbers:
#
# * **Locality**: to decide whether a pixel sits on an edge you only need its neighbours, not the whole image.
#   So each output looks at a small window (a *kernel* of, say, 3×3 weights).
# * **Weight sharing**: an edge is an edge wherever it is. So every window uses *the same* kernel. The layer then
#   treats all positions alike: shift the input and its output shifts the same way (*translation equivariance*,
#   checked on a photo in section 5).
#
# A 3×3 kernel over 3 colour channels has 27 weights, whatever the size of the photo. That is one detector; the
# fair comparison with 100 hidden units is 100 such kernels, one per output map:

# %%
one_kernel = 3 * 3 * colours
conv_100 = nn.Conv2d(colours, hidden, kernel_size=3)
conv_weights = conv_100.weight.numel()
print(f"one 3×3 kernel: {one_kernel} weights; 100 kernels: {conv_weights:,} weights "
      f"+ {conv_100.bias.numel()} biases = {sum(p.numel() for p in conv_100.parameters()):,} parameters")
print(f"the fully connected layer has {mlp_weights // conv_weights:,} times as many weights")

# %% [markdown]
# 2,800 parameters instead of 3.6 billion, and the count does not grow with the photo. The operation that slides one
# small kernel over the whole image is **cross-correlation**.

# %% [markdown]
# ### From a fully connected layer to a convolution, in two steps
#
# The same road, written as formulas (as in d2l's section 7.1). Keep the image's 2-D layout in the hidden layer too:
# a fully connected layer from an $h \times w$ image $X$ to an $h \times w$ hidden map $H$ has one weight for every
# (output pixel, input pixel) pair. Index the input pixel by its offset $(a, b)$ from the output pixel:
#
# $$H[i, j] = \sum_{a} \sum_{b} V[i, j, a, b]\; X[i + a,\, j + b].$$
#
# 1. **Locality**: $V[i, j, a, b] = 0$ unless $|a|, |b| \le \Delta$. Each output reads a $(2\Delta+1)^2$ window.
# 2. **Weight sharing**: $V[i, j, a, b] = V[a, b]$, the same window weights at every position $(i, j)$.
#
# What is left is exactly the cross-correlation of the next section, with kernel $V[a, b]$. The parameter count at
# each step, for a 28×28 MNIST digit and $\Delta = 1$:

# %%
h = w = 28
delta = 1
counts = {"fully connected": (h * w) ** 2, "+ locality": h * w * (2 * delta + 1) ** 2,
          "+ weight sharing": (2 * delta + 1) ** 2}
print(", ".join(f"{step}: {n:,}" for step, n in counts.items()))

# The convolution *is* such a constrained matrix: read F.conv2d's weights off by feeding it the 784 one-pixel images.
kernel_3x3 = torch.randn(1, 1, 3, 3)
V = F.conv2d(torch.eye(h * w).reshape(h * w, 1, h, w), kernel_3x3, padding=delta).reshape(h * w, h * w).T
x_digit = torch.randn(h, w)
torch.testing.assert_close(V @ x_digit.flatten(), F.conv2d(x_digit[None, None], kernel_3x3, padding=delta).flatten())
nonzero_per_row = int((V.abs() > 1e-6).sum(dim=1).max())
V4 = V.reshape(h, w, h, w)  # V4[i, j] = the weights output pixel (i, j) gives to the whole image
windows = torch.stack([V4[i, j, i - 1:i + 2, j - 1:j + 2] for i in range(1, h - 1) for j in range(1, w - 1)])
print(f"conv as a {tuple(V.shape)} matrix: at most {nonzero_per_row} non-zero weights per row; "
      f"all {len(windows)} interior rows hold the same 3×3 kernel")

# %%
assert nonzero_per_row == 9  # locality
torch.testing.assert_close(windows, kernel_3x3[0, 0].expand_as(windows))  # weight sharing

# %% [markdown]
# **When weight sharing is the wrong prior.** Sharing says "the same pattern means the same thing everywhere". That
# fails when position carries meaning. In *aligned* face photos the eyes are always in the same rows, and a mouth
# detector has no business in the forehead: DeepFace (Taigman et al., 2014) used *locally connected* layers (step 1
# without step 2) there. On a scanned form, a chess or Go board or a medical scan in a fixed pose, *where* something
# is matters too; such models keep locality but add position information (coordinate channels, position
# embeddings) or unshared layers. Locality can be the wrong prior too: a pixel's meaning may depend on something far
# away, which is why deep stacks (section 7) and attention exist.

# %%
# Checks for this section (you can skip this cell)
assert mlp_weights == 3_600_000_000
assert one_kernel == 27 and conv_weights == 100 * 27 == 2_700
assert sum(p.numel() for p in conv_100.parameters()) == 2_800
assert counts == {"fully connected": 614_656, "+ locality": 7_056, "+ weight sharing": 9}

# %% [markdown]
# ## 2. Cross-correlation by hand
#
# Put the kernel `K` on the top-left corner of the input `X`, multiply the overlapping entries and add them up:
# that is the first output value. Slide one step right and repeat; at the end of a row move one step down.
# With an input of size $n_h \times n_w$ and a kernel of size $k_h \times k_w$, the kernel fits in
# $(n_h - k_h + 1) \times (n_w - k_w + 1)$ positions, so that is the output's shape.
#
# $$Y[i, j] = \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} X[i+a,\, j+b]\; K[a, b]$$

# %%
# @save
def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of a matrix X with a kernel K, written with loops."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y

# %% [markdown]
# (The `# @save` line marks lesson code that later notebooks reuse: it is saved into `helpers.lessons`, so the
# padding and channels notebooks can `from helpers.lessons import corr2d` instead of copying it.)
#
# The worked example, $X$ = 0…8 as a 3×3 matrix and a 2×2 kernel:

# %%
X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
Y = corr2d(X, K)
Y

# %%
assert Y.shape == (3 - 2 + 1, 3 - 2 + 1)
# the first value, written out: 0*0 + 1*1 + 3*2 + 4*3
assert 0 * 0 + 1 * 1 + 3 * 2 + 4 * 3 == Y[0, 0] == 19

# %% [markdown]
# PyTorch's `F.conv2d` computes exactly this. It wants 4-D tensors, (batch, channels, height, width) for the
# input and (out channels, in channels, height, width) for the kernel, so we add two leading axes of size 1:

# %%
torch.testing.assert_close(F.conv2d(X[None, None], K[None, None])[0, 0], Y)
for shape, kshape in [((5, 7), (3, 3)), ((8, 4), (2, 3)), ((6, 6), (1, 5))]:
    A, B = torch.randn(shape), torch.randn(kshape)
    torch.testing.assert_close(corr2d(A, B), F.conv2d(A[None, None], B[None, None])[0, 0])
print("corr2d == F.conv2d on 4 inputs of different shapes")

# %% [markdown]
# ### Explorer: one output cell at a time
#
# Drag the slider. The red square is the window; the title spells out its multiply-adds; the output fills in
# cell by cell (`?` = not computed yet).

# %%
# NBVAL_IGNORE_OUTPUT
stepper = CorrelationStepper(X, K, corr2d)  # the explorer shows *your* corr2d: edit it, rerun, and see
stepper

# %%
# Checks for this section (you can skip this cell)
assert Y.tolist() == [[19, 25], [37, 43]]
# What the explorer shows for the last cell, checked (the explorer above computes the same state):
state = stepper.compute(step=3)
assert state.expression == "Y[1,1] = 4×0 + 5×1 + 7×2 + 8×3 = 43"
assert state.partial.tolist() == Y.tolist()

# %% [markdown]
# For readers without a running kernel, the same picture for the third output cell:

# %%
stepper.static_figure(step=2);

# %% [markdown]
# ## 3. Cross-correlation or convolution?
#
# In mathematics, a *convolution* flips the kernel by 180° before sliding it. Deep-learning libraries skip the
# flip and still call the layer "convolutional". The two differ whenever the kernel is not symmetric:

# %%
def conv2d_true(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Textbook convolution: cross-correlation with the kernel rotated by 180 degrees."""
    return corr2d(X, torch.flip(K, dims=(0, 1)))


print("cross-correlation:", corr2d(X, K).tolist())
print("true convolution: ", conv2d_true(X, K).tolist())  # first value: 0*3 + 1*2 + 3*1 + 4*0 = 5
assert not torch.equal(conv2d_true(X, K), corr2d(X, K))

# %% [markdown]
# Why the naming is moot: a layer *learns* its kernel. If the data call for kernel $K$ under one convention, the
# other convention learns $K$ rotated by 180°, and the outputs are identical:

# %%
K_learned_by_true_conv = torch.flip(K, dims=(0, 1))
torch.testing.assert_close(conv2d_true(X, K_learned_by_true_conv), corr2d(X, K))

# %%
# Checks for this section (you can skip this cell)
assert conv2d_true(X, K).tolist() == [[5, 11], [23, 29]]  # 0*3 + 1*2 + 3*1 + 4*0 = 5

# %% [markdown]
# ## 4. A convolutional layer from scratch
#
# A layer holds a kernel and a scalar bias as learnable `nn.Parameter`s and applies `corr2d` plus the bias.

# %%
class Conv2D(nn.Module):
    """A single-channel 2-D convolutional layer (cross-correlation + bias)."""

    def __init__(self, kernel_size: tuple[int, int]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


layer = Conv2D((2, 2))
print([(name, tuple(p.shape)) for name, p in layer.named_parameters()])

# %%
# Checks for this section (you can skip this cell)
assert sum(p.numel() for p in layer.parameters()) == 5  # 4 weights + 1 bias

# %% [markdown]
# ## 5. Edge detection
#
# Take a 6×8 image that is white (1) except for a black (0) band in columns 2 to 5. The kernel `[[1, -1]]`
# subtracts each pixel's right neighbour from it: zero on flat regions, +1 where white turns black, −1 where
# black turns white.

# %%
X_edges = torch.ones(6, 8)
X_edges[:, 2:6] = 0
K_edge = torch.tensor([[1.0, -1.0]])
Y_edges = corr2d(X_edges, K_edge)
print(X_edges)
print(Y_edges)

# %%
assert Y_edges.shape == (6, 7)
assert (Y_edges[:, 1] == 1).all() and (Y_edges[:, 5] == -1).all()
# Transposed, the edges are horizontal: this kernel only sees vertical edges, so it finds nothing.
assert (corr2d(X_edges.T, K_edge) == 0).all()

# %% [markdown]
# ### On a real photograph
#
# scikit-image ships the classic *cameraman* photo (no download). Classic hand-designed kernels do classic jobs:
# Sobel kernels find vertical or horizontal edges, the Laplacian finds both, a box filter blurs, and "sharpen"
# adds the Laplacian's detail back onto the image.

# %%
photo = data.load_photo("camera", size=256)
KERNELS = {
    "Sobel x": torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "Sobel y": torch.tensor([[-1.0, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "Laplacian": torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "blur (box 5x5)": torch.full((5, 5), 1 / 25),
    "sharpen": torch.tensor([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
}
filtered = {name: F.conv2d(photo[None, None], k[None, None])[0, 0] for name, k in KERNELS.items()}
print(f"photo {tuple(photo.shape)};", ", ".join(f"{n}: {tuple(y.shape)}" for n, y in filtered.items()))
plotting.show_images([photo, *filtered.values()], nrows=1, titles=["input", *filtered], scale=2.2);

# %%
assert filtered["Sobel x"].shape == (254, 254) and filtered["blur (box 5x5)"].shape == (252, 252)

# %% [markdown]
# ### Explorer: a kernel editor
#
# Pick a preset or type your own kernel (rows separated by `;`, fractions like `1/9` allowed) and watch the
# photo change. Try `1 -1` (our edge kernel), then `1; -1`, then a 1×9 row of `1/9`: a horizontal motion blur.
# The editor runs our own loop `corr2d` (no padding, so the output is $k-1$ pixels smaller), which takes about a
# second on this 256×256 photo: the price of Python loops, measured in section 8.

# %%
# NBVAL_IGNORE_OUTPUT
editor = KernelEditor(photo, corr2d)
editor

# %%
state = editor.compute(kernel="1 -1")
torch.testing.assert_close(state.output, corr2d(photo, K_edge))
editor.static_figure(kernel="-1 -2 -1; 0 0 0; 1 2 1");

# %% [markdown]
# ### Shift the input, and the output shifts the same way
#
# Because every window uses the same kernel, moving the photo moves its edge map by the same amount and changes
# nothing else: the layer is **translation-equivariant**. (It is *not* translation-*invariant*: the output does
# change, it moves. Pooling, in the pooling notebook, adds a little invariance.) Shift the photo 5 pixels down and
# 12 right (the strip that enters at the top left is black) and compare:

# %%
dy, dx = 5, 12
moved = torch.zeros_like(photo)
moved[dy:, dx:] = photo[:-dy, :-dx]
sobel_x = KERNELS["Sobel x"][None, None]
edges_of_moved = F.conv2d(moved[None, None], sobel_x)[0, 0]
plotting.show_images([photo, moved, filtered["Sobel x"], edges_of_moved], nrows=1, scale=2.2,
                     titles=["photo", f"moved ({dy} down, {dx} right)", "Sobel x of photo", "Sobel x of moved"]);

# %%
# conv(shift(x)) == shift(conv(x)), everywhere except the strip that came in from outside the photo
torch.testing.assert_close(edges_of_moved[dy:, dx:], filtered["Sobel x"][:-dy, :-dx])

# %%
# Checks for this section (you can skip this cell)
assert (Y_edges.abs().sum(dim=0) > 0).tolist() == [False, True, False, False, False, True, False]
# A blur keeps the average brightness and lowers the contrast; Sobel x and Sobel y respond to different edges.
assert abs(filtered["blur (box 5x5)"].mean() - photo[2:-2, 2:-2].mean()) < 0.01
assert filtered["blur (box 5x5)"].std() < photo.std()
corr_xy = torch.corrcoef(torch.stack([filtered["Sobel x"].abs().flatten(), filtered["Sobel y"].abs().flatten()]))
assert corr_xy[0, 1] < 0.7

# %% [markdown]
# ## 6. Learning a kernel from data
#
# We know the input `X_edges` and the output `Y_edges` that `[[1, -1]]` produces. Can a layer that starts from a
# random kernel find that kernel by itself? Minimise the squared error with gradient descent:

# %%
torch.manual_seed(0)
conv = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
Xb, Yb = X_edges[None, None], Y_edges[None, None]
lr, losses = 0.03, []
for step in range(20):
    loss = ((conv(Xb) - Yb) ** 2).sum()
    conv.zero_grad()
    loss.backward()
    with torch.no_grad():
        conv.weight -= lr * conv.weight.grad
    losses.append(loss.item())
    if (step + 1) % 4 == 0:
        print(f"step {step + 1:2d}, loss {loss.item():.4f}")
learned = conv.weight.detach().reshape(1, 2)
print("learned kernel:", learned)

# %%
assert (learned - K_edge).abs().max() < 0.05, learned

# %%
# Checks for this section (you can skip this cell)
assert losses[-1] < 0.01 * losses[0]

# %% [markdown]
# ## 7. Receptive field
#
# The **receptive field** of an output value is the set of input pixels that can influence it. One 3×3 layer:
# 3×3. Stack a second 3×3 layer on top and each of its outputs sees 3×3 outputs of the first, each of which saw
# 3×3 inputs: 5×5 in all. We can *measure* it: take the gradient of one output value with respect to the input
# and see which pixels get a non-zero gradient.

# %%
# @save
def receptive_field(net: nn.Module, size: int = 15) -> tuple[int, int]:
    """Height and width of the input region that influences the centre output of `net`."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = net(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows, cols = torch.nonzero(x.grad[0, 0]).unbind(1)
    return (rows.max() - rows.min() + 1).item(), (cols.max() - cols.min() + 1).item()


# %%
def stack(n: int) -> nn.Sequential:
    torch.manual_seed(0)
    layers = [nn.Conv2d(1, 1, 3) for _ in range(n)]
    for conv_layer in layers:
        nn.init.constant_(conv_layer.weight, 1.0)  # positive weights: no accidental zero gradients
    return nn.Sequential(*layers)


fields = {n: receptive_field(stack(n)) for n in (1, 2, 3, 4)}
print(fields)
assert fields == {1: (3, 3), 2: (5, 5), 3: (7, 7), 4: (9, 9)}  # grows by k - 1 = 2 per layer

# %% [markdown]
# Deeper layers see more of the image with the same small kernels: edges → textures → parts → objects.

# %% [markdown]
# ## 8. The fast path: im2col
#
# Our loops call Python once per output pixel. A classic way out: copy every window into a column of a big matrix
# (`F.unfold`, known as *im2col*) and do **one** matrix multiplication, which linear-algebra libraries run fast.
# im2col is the easiest way to *explain* a fast convolution, not a description of what `F.conv2d` runs: the
# libraries underneath (cuDNN on NVIDIA GPUs, oneDNN on Intel and AMD CPUs) choose, for each layer shape, among
# *implicit GEMM* (the same matrix product without building the big matrix), *Winograd* (fewer multiplications for
# small kernels), *FFT*-based and hand-tuned *direct* algorithms. Same numbers, very different speed:

# %%
# @save
def corr2d_unfold(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """corr2d as one matrix product: every window becomes a column (im2col)."""
    h, w = K.shape
    cols = F.unfold(X[None, None], kernel_size=(h, w))  # (1, h*w, number of windows)
    out = K.reshape(1, -1) @ cols[0]  # (1, number of windows)
    return out.reshape(X.shape[0] - h + 1, X.shape[1] - w + 1)


# %%
for shape, kshape in [((3, 3), (2, 2)), ((17, 9), (3, 4)), ((64, 64), (5, 5))]:
    A, B = torch.randn(shape), torch.randn(kshape)
    torch.testing.assert_close(corr2d_unfold(A, B), corr2d(A, B), atol=1e-4, rtol=1e-4)
print("corr2d_unfold == corr2d")

# %%
def best_time(fn, *args, repeat: int = 3) -> float:
    """Fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


img, k3 = photo[:128, :128], KERNELS["Sobel x"]
timings = {
    "loops": best_time(corr2d, img, k3, repeat=1),
    "unfold + matmul": best_time(corr2d_unfold, img, k3),
    "F.conv2d": best_time(lambda a, b: F.conv2d(a[None, None], b[None, None]), img, k3),
}

# %%
# NBVAL_IGNORE_OUTPUT
for name, seconds in timings.items():
    print(f"{name:>16}: {seconds * 1e3:8.2f} ms   ({timings['loops'] / seconds:6.0f}x the loops' speed)")

# %%
# Checks for this section (you can skip this cell)
assert timings["loops"] > 10 * timings["unfold + matmul"]
assert timings["loops"] > 10 * timings["F.conv2d"]

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: "a batch of images is (B, C, W, H)."** A learner's note writes `torch.randn(batch, in_channels,
# width, height)`. With a square 100×100 input the mistake is invisible. PyTorch images are **(C, H, W)** and
# batches **(B, C, H, W)**: rows (height) before columns (width), as in a matrix. A non-square photo shows why it
# matters: read the axes the wrong way round and the picture is transposed, so a "vertical edge" kernel finds
# horizontal edges. Look first:

# %%
wide = data.load_photo("coffee")  # (H, W) = (400, 600): wider than tall
batch = wide[None, None]
print("correct (B, C, H, W):", tuple(batch.shape))
swapped = batch.transpose(2, 3)  # what you get if you fill a (B, C, W, H) tensor
print("swapped (B, C, W, H):", tuple(swapped.shape))
fig = plotting.show_images([batch[0], swapped[0]], titles=["(B, C, H, W): upright", "(B, C, W, H): transposed"],
                           scale=2.5)

# %% [markdown]
# Now run the vertical-edge kernel `[[1, -1]]` on both tensors, and turn the second result back upright so the two
# maps can be compared pixel for pixel:

# %%
on_upright = F.conv2d(batch, K_edge[None, None]).abs()[0, 0]
on_swapped = F.conv2d(swapped, K_edge[None, None]).abs()[0, 0].T  # turned back upright to compare
fig = plotting.show_images([(m / 0.15).clamp(max=1) for m in (on_upright, on_swapped)], scale=3.4,  # brightened
                           titles=["[[1, -1]] on (B, C, H, W)", "[[1, -1]] on (B, C, W, H)"])

# %%
# on the swapped tensor the "vertical" kernel is exactly the horizontal kernel [[1], [-1]] on the photo
horizontal_map = F.conv2d(batch, K_edge.T[None, None]).abs()[0, 0]
assert torch.equal(on_swapped, horizontal_map)
print(f"mean edge strength: {on_upright.mean():.3f} upright, {on_swapped.mean():.3f} swapped")

# %% [markdown]
# The two maps light up different lines: on the left the sides of the cup and the outline of the spoon, on the
# right the top and bottom of the rims and of the saucer. The swapped tensor made the vertical-edge kernel find
# horizontal edges. The average strengths, on the other hand, are close (a photo has edges in every direction),
# so a summary number would not have revealed the mistake: look at the picture.

# %% [markdown]
# **Pitfall 2: "a convolution layer flips its kernel."** It does not (section 3): `nn.Conv2d` cross-correlates.
# It only matters when you copy a kernel from a signal-processing book into a network: flip it first.
#
# **Pitfall 3: "the output has the input's size."** Only with padding (next notebook). Without it, every
# layer trims $k-1$ rows and columns: the 256×256 photo came out 254×254 after a 3×3 kernel.

# %%
# Checks for this section (you can skip this cell)
assert batch.shape == (1, 1, 400, 600)

# %% [markdown]
# ## Exercises
#
# Each exercise has a checker. Replace `None` with your answer and run the cell: a wrong answer raises an error
# that says what was expected. The solutions are folded below each exercise (click to expand).
#
# **Exercise 1.** What shape does `corr2d` return for a 6×8 input and a 3×2 kernel? Answer as a tuple.

# %%
answer_1 = None  # e.g. (rows, cols)
checks.check("exercise 1: output shape", answer_1, tuple(corr2d(torch.zeros(6, 8), torch.zeros(3, 2)).shape))

# %% jupyter={"source_hidden": true}
# Solution: (6 - 3 + 1, 8 - 2 + 1)
answer_1 = (4, 7)
checks.check("exercise 1: output shape", answer_1, tuple(corr2d(torch.zeros(6, 8), torch.zeros(3, 2)).shape))

# %% [markdown]
# **Exercise 2.** Write a kernel `K_h` that marks the *horizontal* edges of `X_edges.T` with +1 (white above black)
# and −1 (black above white), like `K_edge` did for vertical edges.

# %%
K_h = None
checks.check("exercise 2: horizontal edges", None if K_h is None else corr2d(X_edges.T, K_h), Y_edges.T)

# %% jupyter={"source_hidden": true}
# Solution: the same kernel, standing up: a 2x1 column [[1], [-1]].
K_h = torch.tensor([[1.0], [-1.0]])
checks.check("exercise 2: horizontal edges", None if K_h is None else corr2d(X_edges.T, K_h), Y_edges.T)

# %% [markdown]
# **Exercise 3.** Write `conv_by_flip(X, K)`: a *true* convolution computed with `F.conv2d` (which
# cross-correlates). The checker compares it with `conv2d_true` on several random shapes.

# %%
conv_by_flip = None
cases = [(torch.randn(5, 5), torch.randn(2, 2)), (torch.randn(7, 4), torch.randn(3, 2)),
         (torch.randn(9, 9), torch.randn(3, 3))]
checks.check_function("exercise 3: convolution via F.conv2d", conv_by_flip, conv2d_true, cases)

# %% jupyter={"source_hidden": true}
# Solution: rotate the kernel by 180 degrees, then cross-correlate.
def conv_by_flip(X, K):
    return F.conv2d(X[None, None], torch.flip(K, dims=(0, 1))[None, None])[0, 0]


checks.check_function("exercise 3: convolution via F.conv2d", conv_by_flip, conv2d_true, cases)

# %% [markdown]
# **Exercise 4 (run it, then read the result).** Section 6 recovered a 1×2 kernel from one toy image. Can gradient
# descent recover a real 3×3 kernel from a photograph? `small` is the photo at a quarter of its size (64×64) and
# `edges_small` its Sobel-x response. Train `nn.Conv2d(1, 1, 3, bias=False)` from its random start so that it maps
# `small` to `edges_small` (squared error, `torch.optim.Adam` with `lr=0.1`, a few hundred steps), then put its
# kernel, a (3, 3) tensor, in `learned_3x3`. Before you look: should the learned kernel be Sobel x itself, or only
# something that behaves like it on this photo? The checker compares your kernel with Sobel x, to 0.1.

# %%
small = photo[::4, ::4][None, None]  # (1, 1, 64, 64)
edges_small = F.conv2d(small, KERNELS["Sobel x"][None, None])
learned_3x3 = None  # the trained kernel, shape (3, 3)
checks.check("exercise 4: the learned kernel", learned_3x3, KERNELS["Sobel x"], atol=0.1, rtol=0,
             hint="print the loss every 50 steps: it should fall below 1e-4. If it does not, train longer.")

# %% jupyter={"source_hidden": true}
# Solution: the same loop as in section 6, with Adam. The 3x3 kernel has 9 weights and the photo gives 62*62
# equations for them, so there is exactly one kernel with zero error: Sobel x itself.
torch.manual_seed(0)
student = nn.Conv2d(1, 1, 3, bias=False)
optimizer = torch.optim.Adam(student.parameters(), lr=0.1)
for _ in range(200):
    loss = ((student(small) - edges_small) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
learned_3x3 = student.weight.detach()[0, 0]
print(f"final loss {'below 1e-4' if loss.item() < 1e-4 else f'{loss.item():.1e}'}")
print("learned kernel, rounded to integers:", (learned_3x3.round() + 0.0).tolist())  # + 0.0: no -0.0
checks.check("exercise 4: the learned kernel", learned_3x3, KERNELS["Sobel x"], atol=0.1, rtol=0,
             hint="print the loss every 50 steps: it should fall below 1e-4. If it does not, train longer.")

# %% [markdown]
# ## Summary
#
# * A convolutional layer slides one small kernel over the image: few weights (locality), shared everywhere
#   (weight sharing). 100 kernels of 3×3×3 hold 2,800 parameters; the MLP alternative needed 3.6 billion weights
#   for one layer of 100 units.
# * A convolution is a fully connected layer $V[i, j, a, b]$ with two constraints: locality (614,656 → 7,056
#   weights for a 28×28 map) and weight sharing (→ 9). Sharing is the wrong prior where position carries meaning
#   (aligned faces, forms, boards).
# * Shared weights make the layer translation-**equivariant**: shift the input and the output shifts the same way.
# * Output shape without padding: $(n_h - k_h + 1) \times (n_w - k_w + 1)$.
# * Deep learning's "convolution" is cross-correlation; since kernels are learned, the flip does not matter.
# * Kernels detect patterns: `[[1, -1]]` finds vertical edges; Sobel, Laplacian, blur and sharpen on a real photo.
# * Gradient descent recovers a kernel from input/output pairs: `[[1, -1]]` from a toy image, Sobel x from a photo
#   (exercise 4).
# * Stacking 3×3 layers grows the receptive field by 2 per layer.
# * im2col turns convolution into one matrix product, orders of magnitude faster than Python loops; real libraries
#   choose among implicit GEMM, Winograd, FFT and direct algorithms.
#
# Next: **02 · Padding and stride** — controlling the output size.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | cross-correlation | 互相关运算 |
# | convolution | 卷积 |
# | kernel / filter | 卷积核 / 滤波器 |
# | feature map | 特征图 |
# | receptive field | 感受野 |
# | locality | 局部性 |
# | weight sharing | 权重共享 |
# | locally connected layer (no weight sharing) | 局部连接层（不共享权重） |
# | translation equivariance | 平移等变性 |
# | translation invariance (pooling notebook) | 平移不变性 |
# | edge detection | 边缘检测 |
# | weight, bias | 权重，偏置 |
# | gradient descent | 梯度下降 |
# | im2col (unfold) | 图像块展开 |
