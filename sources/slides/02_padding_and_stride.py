# %% [markdown] minutes=2 core=true
# # 02 · Padding and stride
#
# Three knobs decide the size of a convolution's output, and one formula predicts it:
#
# 1. why every layer trims the border, and how *padding* stops it;
# 2. *stride*: skip windows on purpose, and save work;
# 3. the output-size formula, term by term, checked against PyTorch;
# 4. `padding='same'`, what goes in the ring, and *dilation* (a kernel with holes).

# %% [markdown] slide="notes"
# **Say:** in the cross-correlation chapter the output was always smaller than the input. Today we take control
# of its size, and by the end everyone can predict any convolution's output shape on paper, before PyTorch does.
# **Do:** run the whole deck once before class (Run ▸ Run All Cells; TEACHING.md gives its measured time). Keep a board
# free for the formula: you will build it term by term.

# %% slide="skip"
import math  # math, warnings, plt and count_flops: used by the chapter's cells included below
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import data, plotting
from helpers.inspect import conv_output_size, count_flops
from helpers.widgets.arithmetic import ConvArithmetic

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown] minutes=3 core=true
# ## The problem: every layer trims the border
#
# A $k \times k$ kernel fits in only $n - k + 1$ positions along a side of length $n$.

# %% [markdown] slide="notes"
# **Say:** this is the cross-correlation chapter's shape rule. A 3×3 window cannot be centred on a border pixel
# without sticking out, so each layer loses a ring.

# %% [markdown]
# ### Predict: ten 3×3 layers, no padding, on a 32×32 image. What size comes out?

# %% [markdown] slide="notes"
# **Answer:** 12×12, the printed line: each layer takes k − 1 = 2 off the height and the width, one pixel per
# border. Common wrong answers: 2×2 (taking k = 3 per layer instead of k − 1) and 22×22 (taking one pixel per
# layer).

# %% include="sizes = [32]"

# %% [markdown] slide="notes"
# **Say:** most of the image is gone after ten layers, and the border pixels were used by fewer windows than the
# centre ones all along. Two knobs: *padding* makes room at the edges, *stride* shrinks on purpose.

# %% [markdown] minutes=4 core=true
# ## Padding: a ring of zeros around the input
#
# $p$ rows on top **and** bottom, $p$ columns left **and** right: the side becomes $n + 2p$, the output
# $n + 2p - k + 1$. Keep the size with $p = (k-1)/2$: padding 1 for 3×3, 2 for 5×5. One reason kernels are odd.

# %% [markdown] slide="notes"
# **Say:** `F.pad` takes (left, right, top, bottom), the last axis first, a frequent surprise.
# **Ask:** why are CNN kernels almost always odd? (Then $(k-1)/2$ is a whole number: the same padding on both
# sides, and the kernel has a centre pixel.)

# %% include="def pad2d("

# %% [markdown] slide="notes"
# **Say:** `pad2d` is four lines: a bigger tensor of zeros, the input copied into its middle. PyTorch's `F.pad`
# agrees. Then the rule for every odd kernel, checked on an 8×8 input.

# %% include="for k in (1, 3, 5, 7):"

# %% [markdown] slide="notes"
# **Say:** 8×8 in, 8×8 out for kernels 1, 3, 5 and 7, with padding 0, 1, 2, 3 (the printed line).

# %% slide="sub"
# d2l writes the output as n - k + p_h + 1, where p_h counts the padded rows in total (top + bottom)
n_in, k_in, padding = 8, 3, 1  # PyTorch's padding=1: one row on *each* side
p_h = 2 * padding
pytorch_out = nn.Conv2d(1, 1, k_in, padding=padding)(torch.zeros(1, 1, n_in, n_in)).shape[-1]
print(f"d2l with p_h = 2 * padding: {n_in - k_in + p_h + 1}   PyTorch: {pytorch_out}")
print(f"d2l with p_h = padding (the mix-up): {n_in - k_in + padding + 1}")

# %% [markdown] slide="notes"
# **Say:** two books, two conventions. d2l's $p_h$ is the *total* number of padded rows; PyTorch's `padding` (and
# the $p$ in today's formula, with its $2p$) is per side. The learners' d2l notes say it in a comment ("each side
# padded by 1, so 2 rows in total") and it is still a common slip: putting `padding=1` in as $p_h$ gives
# 7 instead of 8 (the second line). **Ask:** which $p_h$ keeps a $k \times k$ kernel's size? ($k - 1$ in total,
# so `padding=(k-1)//2` per side.)

# %% [markdown] minutes=4 core=true
# ## Stride: skip windows on purpose
#
# With stride $s$ the window jumps $s$ pixels, right and then down. A strided output is the stride-1 output with
# every $s$-th row and column kept: pad, correlate, keep every $s$-th.

# %% [markdown] slide="notes"
# **Say:** so the cross-correlation chapter's loops need no new loop: padding and stride are two lines around
# them. Libraries never compute the windows they drop; we do, to keep the code short.

# %% include="def corr2d(X: torch.Tensor, K: torch.Tensor, padding" slide="sub"

# %% [markdown] slide="notes"
# **Say:** `[::sh, ::sw]` keeps every s-th window start. The loop at the bottom compares it with `F.conv2d` on
# five shapes, square and not. Pairs are always (rows, columns).

# %% include="conv_s2 = nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** the same 8×8 input and "keep the size" padding, stride 2: (4, 4), half the size on each side.

# %% include="flops = {s: count_flops("

# %% [markdown] slide="notes"
# **Say:** what a stride saves: it computes one window in $s^2$, so a layer's multiply-adds fall by 4 at stride
# 2 and by 16 at stride 4 (the printed ÷4 and ÷16). That is why networks stride early: the first layers run on
# the largest maps. The price is detail: the windows in between are never looked at.

# %% [markdown] minutes=5 core=true
# ## A worked example (from the learners' notes)
#
# The 5×5 input and 3×3 kernel 1…9 that 刘二's lecture runs through `nn.Conv2d`, with padding 1 and then with
# stride 2 as well.

# %% [markdown] slide="notes"
# **Say:** this is the example from 刘二's lecture, which the learners ran with `nn.Conv2d` and a hand-set weight.
# Write the top-left 3×3 window of the padded input on the board: a row of zeros, then 0 3 4, then 0 2 4.

# %% [markdown]
# ### Predict: with padding 1, the output's shape, and its top-left value?
#
# $$X = \begin{bmatrix} 3&4&6&5&7\\ 2&4&6&8&2\\ 1&6&7&8&4\\ 9&7&4&6&2\\ 3&7&5&4&1 \end{bmatrix},\qquad
# K = \begin{bmatrix} 1&2&3\\ 4&5&6\\ 7&8&9 \end{bmatrix}$$

# %% [markdown] slide="notes"
# **Answer:** 5×5 (padding 1 keeps the size), top-left 91 = 5·3 + 6·4 + 8·2 + 9·4: the kernel's first row and
# column sit on padding zeros. Common wrong answers: 3×3 (forgetting the padding), and 211, the kernel applied to
# the unpadded corner 3×3 of X: that value is in the output too, one cell in, at (1, 1).

# %% include="X5 = torch.tensor("

# %% [markdown] slide="notes"
# **Ask:** which output values used some padding? (The whole outer ring; the 3×3 centre used real pixels
# only.) The chapter also checks the result against `nn.Conv2d` with the weight set by hand.

# %% [markdown]
# ### Predict: the same with stride 2. Which shape, and which values?

# %% [markdown] slide="notes"
# **Answer:** 3×3, [[91, 224, 127], [192, 282, 122], [96, 110, 31]]: every other row and column of the stride-1
# output. Common wrong answers: 2×2 (computing 5/2 and rounding down: the first window sits at position 0, so
# the starts 0, 2, 4 all fit), or brand-new numbers (stride computes no new windows, it drops some).

# %% include="Y_pad1_s2 = corr2d(X5, K9, padding=(1, 1), stride=(2, 2))"

# %% [markdown] slide="notes"
# **Say:** compare with the previous output: corners, middles of the edges and the centre survive.

# %% include="fig, axes = plt.subplots(1, 3, figsize=(9, 3.4)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** the padded input (padding grey, dashed line around the real input), the kernel, and the stride-2
# output. The red window makes output cell (1, 2): its top-left corner is at padded row 1·2, column 2·2.

# %% [markdown] minutes=5 core=true
# ## One formula for the output size
#
# $$n_\text{out} = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1
# = \left\lfloor \frac{\overbrace{(n + 2p)}^{\text{padded side}} - \overbrace{(d(k-1) + 1)}^{\text{kernel's span}}}
# {s} \right\rfloor + 1$$
#
# * padded side minus span: how far the window can travel from its first position to its last;
# * $/s$: how many whole steps fit (the floor: a window that would stick out is not computed);
# * $+1$: count the start position too. Height and width each get their own.

# %% [markdown] slide="notes"
# **Say:** build it on the board term by term. The padded side is $n + 2p$ (two, because both sides). The span of
# a kernel with $k$ taps $d$ apart is $d(k-1) + 1$ (dilation, at the end of the class; $d = 1$ gives $k$). The
# room to move is the difference; steps of $s$ fit $\lfloor \text{room}/s \rfloor$ times; and the $+1$ counts the
# start position, which no step reaches. **Ask:** why the floor? (A last, partial step would put the window past
# the padding.)

# %% slide="sub"
cases = [(8, 3, 1, 1, 1), (8, 3, 1, 2, 1), (7, 3, 1, 2, 1), (28, 5, 1, 1, 1), (32, 3, 0, 1, 1), (9, 3, 2, 1, 2)]
print("  n  k  p  s  d   formula   F.conv2d")
for n_, k_, p_, s_, d_ in cases:
    y = F.conv2d(torch.zeros(1, 1, n_, n_), torch.zeros(1, 1, k_, k_), padding=p_, stride=s_, dilation=d_)
    print(f"{n_:3d}{k_:3d}{p_:3d}{s_:3d}{d_:3d}{conv_output_size(n_, k_, p_, s_, d_):10d}{y.shape[-1]:11d}")

# %% [markdown] slide="notes"
# **Say:** `helpers.inspect.conv_output_size` is the formula; the right-hand column is PyTorch's own answer.
# The chapter checks every combination of small sizes, kernels, paddings, strides and dilations, including the
# ones where no window fits and both refuse. **Ask:** pick a row and do it on the board (7, 3, 1, 2: the room
# is 7 + 2 − 3 = 6, three steps of 2, plus the start: 4).

# %% [markdown]
# ### Predict: three shapes from the learners' notes
#
# * `torch.rand(1, 1, 28, 28)` through `nn.Conv2d(1, 3, kernel_size=3, stride=2, padding=1)`;
# * `F.conv2d` with a weight `torch.rand(16, 3, 5, 5)` on a (1, 3, 28, 28) input, `padding=1`, `stride=1`;
# * the same with `padding=2`, `stride=2`.

# %% [markdown] slide="notes"
# **Answer:** (1, 3, 14, 14), (1, 16, 26, 26), (1, 16, 14, 14), the line the cell prints. Channels: the number of
# kernels (3, then 16), not the input's. Common wrong answers: (1, 16, 28, 28) for the second ("padding keeps the
# size": only padding 2 does for a 5×5 kernel), 14.5 for the first (no floor), and (1, 1, 14, 14) (the input's
# channel count kept).

# %% include="x28 = torch.rand(1, 1, 28, 28)"

# %% [markdown] slide="notes"
# **Say:** on the board for the first: ⌊(28 + 2 − 3)/2⌋ + 1 = ⌊27/2⌋ + 1 = 13 + 1. The third gives the same side
# with a bigger kernel, because it also has more padding.

# %% [markdown] minutes=4 core=true
# ## Explorer: convolution arithmetic
#
# Input blue, padding dashed, the kernel's taps dark blue (grey on padding), its span red, the output green.

# %% [markdown] slide="notes"
# **Say:** the picture style is that of Dumoulin & Visin's *convolution arithmetic* figures. The line above the
# picture evaluates the formula and asks `F.conv2d` for its answer.

# %% slide="skip"
# The projector's copy of the explorer draws its picture at 0.8 of its size, so that the sliders and the picture fit
# one 1280×720 slide. Only the picture's size changes; it shows the same state.
arith = ConvArithmetic(n=5, k=3, p=1, s=2, d=1).scaled(0.8)

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
arith

# %% [markdown] slide="notes"
# **Do:** press play (the worked example's nine windows). Then: k = 3, p = 1, s = 1 (size kept); s back to 2
# and watch the windows skip; d = 2 and see the gaps; n = 3, k = 7, p = 0, and both the formula and PyTorch
# refuse. **Ask** before each move: what will the output size be?

# %% slide="skip"
assert arith.compute(n=5, k=3, p=1, s=2, d=1, step=0).out == 3

# %% [markdown] minutes=3 core=true
# ## Pitfalls: the formula as it circulates in notes
#
# One learner's note: $\lfloor (n + 2p)/s + 1 \rfloor$, with the example $(28 + 2 - 3)/2 + 1 = 14.5 \to 14$.

# %% [markdown] slide="notes"
# **Say:** the note's formula has no $k$; its own example puts the $k$ back in. Without $-k$ the window has no
# size; without the floor the size is not an integer. The cell tries all three versions on the note's example.

# %% include="wrong_no_k = math.floor((n + 2 * p) / s + 1)"

# %% [markdown] slide="notes"
# **Say:** 16 without $-k$, 14.5 without the floor, 14 with both, and PyTorch says 14.

# %% [markdown]
# ### Predict: "the output is the input divided by the stride"
#
# `nn.Conv2d(1, 1, 3, padding=1, stride=2)` on inputs of side 7, 8, 9, 28 and 29?

# %% [markdown] slide="notes"
# **Answer:** 7 → 4, 8 → 4, 9 → 5, 28 → 14, 29 → 15: $\lceil n/s \rceil$, not $n/s$. The rule "input divided by
# the stride" (in the learners' d2l notes) holds only when $s$ divides $n$. Common wrong answers: 3 for side 7
# (rounding 3.5 down) and 14 for side 29. The first window sits at position 0, so an odd side keeps one more.

# %% include="odd = {n: nn.Conv2d(1, 1, 3, padding=1, stride=2)"

# %% [markdown] slide="notes"
# **Say:** with the formula: side 7, room 7 + 2 − 3 = 6, three steps of 2 plus the start.

# %% [markdown] minutes=4
# ## Pairs are (height, width)
#
# `kernel_size`, `padding`, `stride` take an int or a pair **(height, width)**, the order of the tensor's last
# two axes. Give every pixel the label `10·row + col` and a 1×1 kernel of one: each output *is* a label.

# %% [markdown] slide="notes"
# **Say:** with `stride=(2, 3)`, which labels survive tells you which way each number steps.

# %% include="labels = (10 * torch.arange(9.0)"

# %% [markdown] slide="notes"
# **Say:** down a column the labels go 0, 20, 40: rows step by 2; along a row 0, 3, 6: columns step by 3.

# %% [markdown]
# ### Predict: a 9×9 input, a 3×3 kernel, `stride=(2, 3)`. The output's shape?

# %% [markdown] slide="notes"
# **Answer:** (4, 3): rows ⌊6/2⌋ + 1 = 4, columns ⌊6/3⌋ + 1 = 3. Common wrong answer: (3, 4), from reading
# `stride=(2, 3)` as "2 left-right, 3 up-down", which one of the learners' notes writes. With a square input and
# a square kernel the wrong reading raises no error: the only sign is the shape, (3, 4) instead of (4, 3).

# %% include="shape_23 = F.conv2d("

# %% [markdown] slide="notes"
# **Say:** the same order holds for the input: a batch is (B, C, H, W). A note builds `torch.randn(1, 5, width,
# height)`; on a square image the mistake does not show.

# %% [markdown] minutes=3 core=true
# ## `padding='same'`
#
# PyTorch works out the padding that keeps the size (stride 1 only). An even kernel needs an odd total: the
# smaller half goes on the top/left.

# %% [markdown] slide="notes"
# **Say:** a 4×4 kernel gets 1 row above, 2 below, 1 column left, 2 right; the cell checks it with `F.pad`
# (left, right, top, bottom). PyTorch warns here (an even kernel needs an extra padded copy); the cell hides the
# warning.

# %% include="x9, k4 = torch.randn(1, 1, 9, 9)"

# %% [markdown] slide="notes"
# **Ask:** and with a stride? Let the class guess before the next cell.

# %% include="same_error = str(err)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** PyTorch refuses. TensorFlow defines `'SAME'` with a stride as an output of $\lceil n/s \rceil$ (the
# chapter writes out its padding). With `padding=(k-1)//2` PyTorch gives that size too for odd kernels, as the
# previous pitfall showed.

# %% [markdown] minutes=5
# ## What goes in the ring: padding modes
#
# `nn.Conv2d(..., padding_mode=...)`: `'zeros'` (a black frame), `'reflect'` (mirror, edge not repeated),
# `'replicate'` (repeat the edge pixel), `'circular'` (wrap around, as if tiled). `F.pad` calls zeros
# `'constant'`.

# %% [markdown] slide="notes"
# **Say:** look at the top row of each grid: zeros; 5 4 5 6 5 (the row below the edge, mirrored); 1 1 2 3 3
# (the edge repeated); 9 7 8 9 7 (the last row, wrapped). Pitfall: `F.conv2d` has no `padding_mode`; with the
# function, `F.pad(x, ..., mode='reflect')` first, then convolve without padding.

# %% include="M = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)"

# %% [markdown]
# ### Predict: a 9×9 box blur of a photo, once with each mode. Which modes change the brightness along its border?

# %% [markdown] slide="notes"
# **Answer:** two of them. `'zeros'` darkens every border: it averages black pixels in. `'circular'` changes
# each border too: it brings the opposite border in, so the bright top gets darker and the darker bottom
# brighter (a later sub-slide prints each border's mean; over all four borders the changes nearly cancel).
# `'reflect'` and `'replicate'` keep each border close to the photo's. Common wrong answers: "none, padding only
# affects the size" and "only zeros" (true of the mean over all four borders, not of each border).

# %% slide="skip"
# the next cell's two rows of pictures at 70 dpi (its code and pictures together are taller than a slide otherwise)
dpi_before = plt.rcParams["figure.dpi"]
plt.rcParams["figure.dpi"] = 70

# %% include="cam = data.load_photo("

# %% slide="skip"
plt.rcParams["figure.dpi"] = dpi_before

# %% [markdown] slide="notes"
# **Say:** the top row is the ring each mode adds (24 pixels wide here, to see it); the bottom row is the 9×9
# blur with a 4-pixel ring. `'zeros'` gives a dark frame: the zeros averaged in. Look at the top of the
# `'circular'` ring: it is the bottom of the photo, wrapped round. Zeros are not "no information": they are black
# pixels. For image-to-image work `reflect` or `replicate` often look better; classifiers learn to cope with zeros.

# %% include="edge = {name: torch.cat(" slide="sub"

# %%
sides = {"top": (0, slice(None)), "bottom": (-1, slice(None)), "left": (slice(None), 0), "right": (slice(None), -1)}
print("mean of each border:", "".join(f"{side:>8}" for side in sides))
for name, img in {"photo": cam[0, 0], **blurs}.items():
    print(f"{name:>20}", "".join(f"{img[where].mean().item():8.2f}" for where in sides.values()))

# %% [markdown] slide="notes"
# **Say:** the first line is the chapter's: the mean of the outermost pixels, all four borders together. Zeros
# pull it down; the other three modes stay near the photo's own value. The table splits it by border: with
# `'circular'` the top and bottom trade places in part (the top takes in the bottom's darker rows, the bottom
# the top's brighter ones), and left and right do the same. The chapter's cell also checks that `padding_mode` in
# the layer equals `F.pad` with that mode followed by an unpadded convolution.

# %% [markdown] minutes=4 core=true
# ## Dilation: a kernel with holes
#
# A dilated (*atrous*) kernel places its $k$ taps $d$ pixels apart: a 3×3 kernel with $d = 2$ spans 5×5 with 9
# weights. The same as a bigger kernel with zeros in the gaps:

# %% [markdown] slide="notes"
# **Say:** this is the $d$ in the formula: the span $d(k-1) + 1$. The cell builds the zero-filled kernel and
# checks it against `F.conv2d(..., dilation=d)` on four shapes.

# %% include="def dilate_kernel("

# %% [markdown] slide="notes"
# **Say:** why bother? The receptive field (the cross-correlation chapter's gradient measurement). Stacked 3×3
# layers add 2 pixels each; dilations 1, 2, 4 add 2, 4, 8, with the same 9 weights per layer.

# %% include="def stack(dilations: list[int])" slide="sub"

# %% [markdown] slide="notes"
# **Say:** three plain 3×3 layers see 7×7; dilations 1, 2, 4 see 15×15, and 1, 2, 4, 8 see 31×31 (the printed
# dictionary). Yu & Koltun's context module and DeepLab use this. Padding $d$ keeps each layer's size.

# %% [markdown] minutes=4
# ## The holes a bounding box hides
#
# The receptive field above is a *bounding box*. Three layers that all have dilation 2 report a 13×13 box.

# %% [markdown] slide="notes"
# **Say:** every tap of every layer lands an even number of pixels away from the centre. Let the class think
# about what that means for the odd rows and columns.

# %% [markdown]
# ### Predict: dilations 2, 2, 2 report a 13×13 box. How many of its pixels reach the centre output?

# %% [markdown] slide="notes"
# **Answer:** 49 of the 169: only every other row and column (7 × 7), a grid with holes (the "gridding"
# artifact); dilations 1, 2, 4 use all 225 pixels of their 15×15 box. Common wrong answer: all 169 ("the
# receptive field is 13×13, so it sees 13×13").

# %% slide="skip"
# the next cell's figure at 80 dpi (its code and picture together are taller than a slide at the default)
dpi_before = plt.rcParams["figure.dpi"]
plt.rcParams["figure.dpi"] = 80

# %% include="def influence(net: nn.Module"

# %% slide="skip"
plt.rcParams["figure.dpi"] = dpi_before

# %% [markdown] slide="notes"
# **Say:** the gradient of the centre output with respect to the input is non-zero exactly where a pixel counts,
# because `stack` sets every weight to 1: with random weights, paths of opposite sign could cancel and hide a
# pixel. The next cell prints the counts.

# %% include="used = {name: int((g != 0).sum())" slide="sub"

# %%
for ds in ([2, 3], [2, 3, 4], [1, 2, 4]):
    side = receptive_field(stack(ds), size=41)[0]
    print(f"dilations {ds}: {int((influence(stack(ds), size=41) != 0).sum())} of the {side * side} pixels in the box")

# %% [markdown] slide="notes"
# **Say:** dilations that share no factor are not enough: 2, 3 and 2, 3, 4 still leave holes (the last cell's
# first two lines). A rule that fills the box: each layer's dilation is no larger than the width the layers
# before it already see, which is 1 pixel before the first layer (1, 2, 4: 1 ≤ 1, 2 ≤ 3, 4 ≤ 7, the widths in
# the receptive-field dictionary above). A larger dilation places the three copies of the field so far too far
# apart, and the gaps between them are holes.
# **Do:** keep this rule for after exercise 4, which asks for a schedule that sees a 27×27 square with no holes.

# %% [markdown] minutes=22
# ## In class: exercises
#
# In the student edition (`student/02_padding_and_stride.ipynb`), in pairs:
#
# 1. the output height and width of a (8, 3, 32, 60) batch through a layer with a (5, 3) kernel, padding (2, 0)
#    and stride (2, 3);
# 2. the padding that keeps a 20×20 input at 20×20 under a 7×7 kernel with dilation 2;
# 3. `out_size(n, k, p, s, d)` with integer arithmetic only (`//`);
# 4. run it, then read it: three dilations whose 3×3 layers see a 27×27 square without holes.
#
# Each checker says "not yet" until you answer, then ✅ or what was expected.

# %% [markdown] slide="notes"
# **Do:** about 4 minutes each for 1–3, 10 for 4. Walk around. For exercise 1, remind them that pairs are
# (height, width) and to do each side on its own. For exercise 2, ask for the kernel's span first. For
# exercise 4, let them try schedules with `stack` and `influence` and look at the picture before answering;
# ask why the last dilation has a limit. The answers are in the answer key (TEACHING.md), never on a slide.

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * Output side: $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$: padded side minus span, whole steps, plus one.
# * Padding $p = (k-1)/2$ per side keeps the size for odd kernels (d2l's $p_h$ is the total, $2p$).
# * Stride $s$ keeps every $s$-th window: $\lceil n/s \rceil$ with "keep the size" padding, $s^2$ times less work.
# * Pairs are (height, width). `padding='same'` only at stride 1; modes decide what the ring holds.
# * Dilation spreads the taps: a larger receptive field for the same weights, but watch for holes.
#
# The chapter: `notebooks/02_padding_and_stride.ipynb`. Next: multiple channels and 1×1 convolutions.

# %% [markdown] slide="notes"
# **Say:** if they remember one thing, it is the formula read as "room to move, divided into steps, plus the
# start". Hand out the student edition (`student/`, see TEACHING.md) for the exercises.
