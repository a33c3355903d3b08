# %% [markdown] minutes=2 core=true
# # 01 · Cross-correlation
#
# The operation inside every convolutional layer, in one class:
#
# 1. why a fully connected layer cannot look at photos;
# 2. cross-correlation by hand, and the shape that comes out;
# 3. kernels that find edges, and a kernel learned from data;
# 4. the receptive field, and the fast path that replaces our Python loops.

# %% [markdown] slide="notes"
# **Say:** today we build the one operation every CNN is made of, by hand, and check it against PyTorch.
# **Ask:** who has trained a network on images already? What did the first layer look like?
# Run the whole deck once before class (Run ▸ Run All Cells; TEACHING.md gives its measured time); every cell is live,
# so you can change a number and run it again on the projector.

# %% slide="skip"
import time

import torch
import torch.nn.functional as F
from torch import nn

from helpers import data, plotting
from helpers.widgets import CorrelationStepper, KernelEditor

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown] minutes=5 core=true
# ## Why not a fully connected network?
#
# A phone photo: 12 million pixels × 3 colours. A first hidden layer of only 100 units.

# %% [markdown] slide="notes"
# **Say:** an MLP gives every hidden unit one weight per input value. Let the class guess before you run the cell.
# Then the two ideas that save us: *locality* (a pixel's neighbours decide whether it is on an edge) and *weight
# sharing* (an edge is an edge wherever it is).

# %% [markdown]
# ### Predict: how many weights does that one layer need?

# %% [markdown] slide="notes"
# **Answer:** 12,000,000 × 3 × 100 = 3.6 billion weights (about 14 GB of float32), printed by the next cell.
# Common wrong answers: "1,200" (forgetting that *every* unit sees *every* pixel), or 12 M × 100 (forgetting the
# three colours). Then ask: how many does a layer of 100 kernels of 3×3 need? (2,700 weights + 100 biases.)

# %%
pixels, colours, hidden = 12_000_000, 3, 100
mlp_weights = pixels * colours * hidden
print(f"fully connected: {mlp_weights:,} weights (= {mlp_weights / 1e9:.1f} billion)")
conv_100 = nn.Conv2d(colours, hidden, kernel_size=3)
print(f"100 kernels of 3×3×3: {sum(p.numel() for p in conv_100.parameters()):,} parameters, whatever the photo's size")

# %% [markdown] slide="notes"
# **Say:** the convolution's count does not grow with the photo: 2,800 parameters for any size. What it costs
# instead is compute: every window is still evaluated. The chapter derives the convolution from a fully connected
# layer in two steps (locality, then sharing) and says when sharing is the wrong prior (aligned faces, board games).

# %% [markdown] minutes=5
# ## From a fully connected layer to a convolution, in two steps
#
# A fully connected layer from a 28×28 image to a 28×28 map: one weight per (output pixel, input pixel) pair.
# 1. **Locality**: each output reads only a 3×3 window. 2. **Weight sharing**: the same 3×3 window everywhere.

# %% [markdown] slide="notes"
# **Say:** the cell reads `F.conv2d`'s own weights off as a 784×784 matrix (by feeding it the 784 one-pixel
# images): at most 9 non-zero weights per row (locality), and every interior row holds the same kernel (sharing).
# The two asserts under it check both claims of the printed line; no error means they hold.
# **Ask:** when is sharing the wrong prior? (Aligned face photos, a chess board, a form: where position means
# something. DeepFace used locally connected layers.)

# %% include="counts = {"

# %% include="assert nonzero_per_row == 9"

# %% [markdown] minutes=6 core=true
# ## Cross-correlation by hand
#
# Put the kernel on the top-left corner, multiply the overlapping entries, add them up; slide one step; repeat.
#
# $$Y[i, j] = \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} X[i+a,\, j+b]\; K[a, b]$$
#
# The kernel fits in $(n_h - k_h + 1) \times (n_w - k_w + 1)$ positions: that is the output's shape.

# %% [markdown] slide="notes"
# **Say:** this is the whole operation. Write the 3×3 input 0…8 and the 2×2 kernel [[0, 1], [2, 3]] on the board
# before the next slide. **Ask:** where does the kernel start, and in which order does it move? (Top left, along a
# row, then down, like reading.)

# %% include="def corr2d("

# %% [markdown] slide="notes"
# **Say:** two loops, one line of arithmetic. `h, w = K.shape` and the output size come straight from the formula.
# Point at `X[i:i + h, j:j + w] * K`: an element-wise product of the window and the kernel, then a sum.

# %% [markdown]
# ### Predict: `corr2d(X, K)` for $X$ = 0…8 (3×3) and $K$ = [[0, 1], [2, 3]]
#
# Its shape, and its top-left value?

# %% [markdown] slide="notes"
# **Answer:** shape (2, 2); top-left 0·0 + 1·1 + 3·2 + 4·3 = 19; the whole output is [[19, 25], [37, 43]].
# Common wrong answer: shape (3, 3), "the same as the input" (learners expect padding they did not ask for), or
# 0·0 + 1·1 + 2·2 + 3·3 = 14 (multiplying the kernel with the first four values of X in reading order, 0, 1, 2,
# 3, instead of the 2×2 window 0, 1, 3, 4).

# %%
X = torch.arange(9.0).reshape(3, 3)
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
Y = corr2d(X, K)
Y

# %% [markdown] slide="notes"
# **Say:** and PyTorch agrees: `F.conv2d(X[None, None], K[None, None])` gives the same four numbers (the chapter
# checks it on several shapes). The two leading axes are batch and channels.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
stepper = CorrelationStepper(X, K, corr2d)  # it draws *our* corr2d: edit it, rerun, and see
stepper

# %% [markdown] slide="notes"
# **Do:** drag the slider through the four output cells; the title spells out each window's multiply-adds.
# **Ask:** which input value is used by all four windows? (4, the centre: it is in every 2×2 window.)

# %% [markdown] minutes=3
# ## Cross-correlation or convolution?
#
# A mathematician's convolution flips the kernel by 180° first. PyTorch's `nn.Conv2d` does not flip.

# %% [markdown] slide="notes"
# **Say:** the name is historical. Since the kernel is *learned*, a layer that flipped would simply learn the
# flipped kernel: same outputs. It matters only when you copy a kernel from a signal-processing book.
# The learners' d2l notes have this right (a CNN's 卷积 is 互相关, cross-correlation). The belief to listen for
# is the chapter's Pitfall 2, "a convolution layer flips its kernel": it does not.

# %% include="def conv2d_true("

# %% [markdown] minutes=3
# ## A convolutional layer from scratch
#
# A kernel and a bias, both learnable `nn.Parameter`s, and `corr2d` plus the bias in `forward`.

# %% [markdown] slide="notes"
# **Ask:** how many parameters does a layer with a 2×2 kernel have? (5: four weights and one bias.) Learners often
# forget the bias, or think there is one bias per output pixel (it is one per output channel).

# %% include="class Conv2D(nn.Module):"

# %% [markdown] minutes=7 core=true
# ## Edge detection
#
# A 6×8 image, white (1) with a black (0) band in columns 2 to 5, and the kernel `[[1, -1]]`.

# %% [markdown] slide="notes"
# **Say:** the kernel subtracts each pixel's right neighbour from it. Let the class predict before the next slide.

# %% [markdown]
# ### Predict: where is `corr2d(X_edges, [[1, -1]])` non-zero, and with which signs?

# %% [markdown] slide="notes"
# **Answer:** only in column 1 (+1, white turns black) and column 5 (−1, black turns white); zero on flat regions.
# The output is 6×7, one column narrower. Common wrong answers: "the whole black band lights up" (it is flat
# inside) or "edges at columns 2 and 6" (off by one: the window at column 1 covers columns 1 and 2).

# %%
X_edges = torch.ones(6, 8)
X_edges[:, 2:6] = 0
K_edge = torch.tensor([[1.0, -1.0]])
Y_edges = corr2d(X_edges, K_edge)
print(Y_edges)

# %% [markdown] slide="notes"
# **Ask:** what does the same kernel find on `X_edges.T`, where the edges are horizontal? (Nothing: all zeros.
# A 1×2 kernel compares left and right neighbours only.) That is exercise 2 of the chapter.

# %% slide="sub" include='photo = data.load_photo("camera", size=256)'

# %% [markdown] slide="notes"
# **Say:** classic hand-made kernels on a real photo (scikit-image's cameraman, no download). Sobel x finds
# vertical edges (the tripod's legs), Sobel y horizontal ones (the horizon), the Laplacian both, the box blurs,
# and sharpen adds the Laplacian's detail back.
# **Ask:** why is each output smaller than 256×256? (No padding: k − 1 pixels lost; padding is the topic of the
# padding and stride chapter.)

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
editor = KernelEditor(photo, corr2d)
editor

# %% [markdown] slide="notes"
# **Do:** type `1 -1`, then `1; -1`, then a row of nine `1/9` (a horizontal motion blur). Each move waits a
# moment: the editor runs our Python-loop `corr2d`, which is exactly the slowness the im2col slide measures.

# %% [markdown] minutes=4
# ## Shift the input, and the output shifts the same way
#
# Every window uses the same kernel, so moving the photo moves its edge map; away from the black strip that came
# in, nothing else changes.

# %% [markdown] slide="notes"
# **Say:** this is translation *equivariance*. Common wrong answer, also in learners' notes (平移不变性 for weight
# sharing): "a convolution is translation-*invariant*". It is not: the output moves with the input. Pooling adds a
# little invariance (the pooling chapter).
# **Ask:** where do the two edge maps differ? (Only along the black strip that came in at the top and left: the
# edge between it and the photo is new: the bright column at the left of "Sobel x of moved".) The cell under the figure
# checks that the shifted edge map equals the old one everywhere else.

# %% include="dy, dx = 5, 12"

# %% include="torch.testing.assert_close(edges_of_moved"

# %% [markdown] minutes=5 core=true
# ## Learning a kernel from data
#
# We know `X_edges` and the output `Y_edges` that `[[1, -1]]` made. Start a 1×2 layer from a random kernel and
# minimise the squared error with gradient descent.

# %% [markdown] slide="notes"
# **Say:** this is all that training a CNN does, with one kernel instead of millions of weights.

# %% [markdown]
# ### Predict: after 20 steps, is the learned kernel exactly `[[1, -1]]`?

# %% [markdown] slide="notes"
# **Answer:** close, not exact: the cell prints the learned kernel within a few thousandths of [[1, −1]], and the
# loss is still falling; more steps get closer. Ask why the answer is unique here (two unknowns, 6 × 7 = 42
# equations that all hold only for [[1, −1]]). Common wrong answers: "yes, exactly" (gradient descent only
# approaches the minimum, one step at a time), and "it learns any edge detector" (the data fix this one kernel).

# %% include="conv = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)"

# %% [markdown] slide="notes"
# **Say:** forward, loss, zero the gradients, backward, step: the same five moves as every training loop in this
# course. `conv.weight -= lr * conv.weight.grad` is plain gradient descent, under `torch.no_grad()`.

# %% [markdown] minutes=5 core=true
# ## Receptive field
#
# The input pixels that can change one output value. Measure it: with every weight set to 1, the gradient of one
# output value with respect to the input is non-zero exactly there.

# %% [markdown] slide="notes"
# **Say:** one 3×3 layer sees 3×3. A second 3×3 layer sees 3×3 outputs of the first, each of which saw 3×3.
# Why all weights 1 (`stack` in the next cells sets them): with random weights, contributions of opposite sign
# could cancel at a pixel and hide it; with positive weights every pixel in the field gets a positive gradient.

# %% include="def receptive_field("

# %% [markdown]
# ### Predict: the receptive field of 1, 2, 3 and 4 stacked 3×3 layers

# %% [markdown] slide="notes"
# **Answer:** 3×3, 5×5, 7×7, 9×9: it grows by k − 1 = 2 per layer. Common wrong answers: 3, 9, 27 (multiplying:
# windows overlap, so they add) and 3, 6, 9 (adding 3: neighbouring windows share k − 1 rows). If a student asks
# why we need depth: without non-linearities a stack of 3×3 convolutions is one big convolution; depth needs ReLUs.

# %% include="fields = {n: receptive_field(stack(n))"

# %% [markdown] slide="notes"
# **Say:** deeper layers see more of the image with the same small kernels. With ReLUs between them, that is how
# edges become textures, parts and objects.

# %% [markdown] minutes=4
# ## The fast path: im2col
#
# Copy every window into a column of one big matrix (`F.unfold`) and do **one** matrix product.

# %% [markdown] slide="notes"
# **Say:** this is the easiest way to *explain* a fast convolution. cuDNN (NVIDIA GPUs) picks among implicit
# GEMM, Winograd, FFT and direct algorithms per layer shape; oneDNN (CPUs) among GEMM-based, Winograd and direct
# ones, with no FFT. Same numbers, very different speed.

# %% include="def corr2d_unfold("

# %% include="def best_time(" slide="sub"

# %% [markdown] slide="notes"
# **Say:** `best_time` keeps the fastest of a few runs (the loops run once: they are slow enough).
# **Ask:** before the next sub-slide, how much faster than our loops is one matrix product? Guesses of 2× or 10×
# are common. Let the class guess, then show the printed ratios.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
for name, seconds in timings.items():
    print(f"{name:>16}: {seconds * 1e3:8.2f} ms   ({timings['loops'] / seconds:6.0f}x the loops' speed)")

# %% [markdown] slide="notes"
# **Say:** read the two ratios off the printed lines: they are this machine's, measured just now, and change from
# laptop to laptop. Compare them with the class's guesses.

# %% [markdown] minutes=3 core=true
# ## Pitfall: a batch is (B, C, H, W), not (B, C, W, H)
#
# Rows (height) before columns (width), as in a matrix. On a square input the mistake is invisible.

# %% [markdown] slide="notes"
# **Say:** a learner's note builds its input as `torch.randn(batch, in_channels, width, height)`; with 100×100 the
# two orders give the same shape, so nothing fails. On a wide photo the tensor is transposed (the right-hand
# picture), and a vertical-edge kernel then finds horizontal edges (the chapter shows both edge maps).

# %% include="wide = data.load_photo("

# %% [markdown] minutes=25
# ## In class: exercises
#
# In the student edition (`student/01_cross_correlation.ipynb`), in pairs:
#
# 1. the output shape for a 6×8 input and a 3×2 kernel;
# 2. a kernel that marks *horizontal* edges;
# 3. a true convolution written with `F.conv2d`;
# 4. run it, then read it: can gradient descent recover Sobel x from the photo?
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 5 minutes each for 1–3, 10 for 4. Walk around; the hints name what is off without the answer.
# Before exercise 4, ask the class to predict: the exact Sobel x kernel, or only something that behaves like it on
# this photo? (Exactly Sobel x: 9 unknowns, 62 × 62 equations.) The answers are in the answer key (TEACHING.md).

# %% [markdown] minutes=2 core=true
# ## Summary, and what to try at home
#
# * A layer slides one small kernel over the image: few weights (locality), shared everywhere (weight sharing).
# * Output shape without padding: $(n_h - k_h + 1) \times (n_w - k_w + 1)$.
# * `nn.Conv2d` cross-correlates; kernels find patterns; gradient descent finds kernels.
# * Stacked 3×3 layers see 2 more pixels per layer.
#
# The chapter, with exercises and checkers: `notebooks/01_cross_correlation.ipynb`. Next: padding and stride.

# %% [markdown] slide="notes"
# **Say:** the chapter's exercises: an output shape, a horizontal-edge kernel, a true convolution with
# `F.conv2d`, and learning Sobel x from a photo. Hand out the student edition (`student/`, see TEACHING.md).
