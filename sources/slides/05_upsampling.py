# %% [markdown] minutes=2 core=true
# # 05 · Upsampling: growing feature maps back
#
# How a decoder turns a small feature map into a large one, in one class:
#
# 1. `F.interpolate`: nearest and bilinear, with nothing to learn;
# 2. the transposed convolution by hand: its output size, `output_padding`, and why it is "transposed";
# 3. the checkerboard artifact, where it comes from, and the resize-then-convolve fix.

# %% [markdown] slide="notes"
# **Say:** the padding-and-stride chapter and the pooling chapter made maps smaller. Today we go the other way.
# **Ask:** which tasks need an output as large as the input? (Segmentation, super-resolution, image generators.)
# Run the whole deck once before class (Run ▸ Run All Cells; TEACHING.md gives its measured time); every cell is live.

# %% slide="skip"
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import data, plotting
from helpers.inspect import transposed_output_size
from helpers.widgets.pooling import CheckerboardExplorer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)
DPI = plt.rcParams["figure.dpi"]

# %% [markdown] minutes=2 core=true
# ## Why grow a feature map back?
#
# A classifier needs one summary of the image; pooling and strided convolutions give it. A network that answers
# **for every pixel** (which pixels are road?) or draws an image must grow the small map back: its **decoder**.
#
# * **Interpolation**: a fixed rule fills the new pixels. Nothing to learn.
# * **Transposed convolution**: a learned kernel fills them. The network decides, and can make a checkerboard.

# %% [markdown] slide="notes"
# **Say:** an encoder shrinks the map step by step, a decoder grows it back step by step. U-Net and FCN
# segmentation networks, GAN generators and super-resolution models all have such a decoder.
# **Ask:** can upsampling bring back the detail that pooling threw away? (No: it only fills pixels from what is
# left. We see it on a photo in a few minutes.)

# %% [markdown] minutes=5 core=true
# ## `F.interpolate`: nearest and bilinear
#
# **Nearest** copies each value into an $s \times s$ block. **Bilinear** blends the four nearest input values by
# distance. With the default `align_corners=False`, output pixel $i$ sits at input position $(i + 0.5)/s - 0.5$.

# %% [markdown] slide="notes"
# **Say:** both are `F.interpolate(x, scale_factor=2, mode=...)` on a (B, C, H, W) tensor; `nn.Upsample` is the
# same thing as a module. There are no weights: the rule is fixed.
# Write the 2×2 input [[1, 2], [3, 4]] on the board before the next slide.

# %% [markdown]
# ### Predict: upsample [[1, 2], [3, 4]] by 2 with `nearest`, then with `bilinear`
#
# The 4×4 nearest result, and the first row of the bilinear one?

# %% [markdown] slide="notes"
# **Answer:** nearest: [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]; bilinear, first row: [1, 1.25,
# 1.75, 2]. Output pixel 1 sits at input position (1 + 0.5)/2 − 0.5 = 0.25, a quarter of the way from 1 to 2, so
# 0.75·1 + 0.25·2 = 1.25. Common wrong answers: [1, 1.5, 2, 2] ("the new pixel is the midpoint of its
# neighbours") and [1, 1.3333, 1.6667, 2], which is `align_corners=True` (next sub-slide).

# %% include="nearest = F.interpolate(small"

# %% [markdown] slide="notes"
# **Say:** bilinear never leaves the input's range (1 to 4 here), and its rows blend the same way as its columns.
# **Ask:** which of the two results has sharp steps? (Nearest: every value is a 2×2 block.)

# %% slide="sub"
corners = F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=True)
print("align_corners=False (default):", bilinear[0, 0, 0].tolist())
print("align_corners=True:           ", [round(v, 4) for v in corners[0, 0, 0].tolist()])

# %% [markdown] slide="notes"
# **Say:** with `align_corners=True` the corner pixels of input and output are aligned, and the inside is spaced
# evenly between them: thirds here. Learners' notes say it "aligns the corner pixels"; this is what that does to
# the numbers. Use the default unless a pretrained model was trained with `True`; mixing the two stretches the map
# a little about its centre (the two sampling grids agree only in the middle).

# %% slide="sub" include="up_bilinear = F.interpolate(down"

# %% [markdown] slide="notes"
# **Say:** average pooling by 4, then back up by 4. Nearest shows 4×4 blocks, bilinear a smooth blur; neither
# brings back the tripod's thin legs. **Ask:** which of the two would you pick to show a mask of class labels
# (0 = road, 1 = car)? (Nearest: bilinear would invent a label 0.5 between them.)

# %% [markdown] minutes=5 core=true
# ## Transposed convolution: scatter the kernel
#
# A convolution **gathers** a window into one output value. A transposed convolution **scatters**: each *input*
# value adds a scaled copy of the kernel to the output, `Y[i:i+h, j:j+w] += X[i, j] * K`. With stride $s$ the
# copies start $s$ pixels apart; padding $p$ *crops* $p$ rows and columns from each border.

# %% [markdown] slide="notes"
# **Say:** PyTorch's `nn.ConvTranspose2d` (also called a fractionally-strided convolution, 部分跨越卷积). Draw it:
# input 2×2, kernel 2×2, and the first copy of K, for X[0, 0], at the top left; the class places the other three
# on the next sub-slide.

# %% [markdown]
# ### Predict: `X = K = [[0, 1], [2, 3]]`, stride 1: the output's shape, and its centre value?
#
# Each input value adds a scaled copy of the kernel: `Y[i:i+2, j:j+2] += X[i, j] * K`.

# %% [markdown] slide="notes"
# **Answer:** 3×3, centre 4: all four copies cover the centre pixel, each with a different kernel entry,
# 0·3 + 1·2 + 2·1 + 3·0 = 4. Common wrong answers: a 1×1 output (shrinking, as a convolution would), and 14, the
# sum of X times K entry by entry (0·0 + 1·1 + 2·2 + 3·3: a cross-correlation at one position).

# %% include="def trans_conv("

# %% [markdown] slide="notes"
# **Say:** two loops, one line of arithmetic, as `corr2d` had; only the direction changed: the output grows by
# k − 1 instead of shrinking. With stride 2 the copies no longer overlap here, so the output is 4×4 and each
# copy shows whole. The last line is the padding: it crops, it never adds.

# %% slide="sub" include="tcases = [((2, 2)"

# %% [markdown] slide="notes"
# **Say:** our loops agree with `F.conv_transpose2d` on six shapes, strides and paddings, and every output shape
# matches the formula on the next slide. The chapter also checks `nn.ConvTranspose2d` with the kernel set by hand.

# %% [markdown] minutes=5 core=true
# ## The output size of a transposed convolution
#
# $$n_\text{out} = (n - 1)\,s - 2p + k$$
#
# The first copy starts at 0 and the last at $(n - 1)s$; it reaches $k$ further. Padding crops $p$ from each side.

# %% [markdown] slide="notes"
# **Say:** compare the convolution: $\lfloor (n + 2p - k)/s \rfloor + 1$. Solve it for $n$ and you get this formula
# (when the floor drops nothing). It is the same shape calculation run backwards.

# %% [markdown]
# ### Predict: `nn.ConvTranspose2d(1, 1, kernel_size=k, stride=2, padding=p)` on a 14×14 map
#
# The output size for k = 3, p = 0? And for k = 4, p = 1?

# %% [markdown] slide="notes"
# **Answer:** 29×29 ((14 − 1)·2 + 3) and 28×28 ((14 − 1)·2 − 2 + 4): k = 4, s = 2, p = 1 is the usual choice for
# "exactly twice as large". Common wrong answers: 28 for both ("stride 2 doubles the size"), and 6, from the
# convolution's formula ⌊(14 − 3)/2⌋ + 1 (learners reach for the formula they know, and it shrinks the map).

# %%
x14 = torch.zeros(1, 1, 14, 14)
for k, p in [(3, 0), (4, 1), (2, 0)]:
    up = nn.ConvTranspose2d(1, 1, kernel_size=k, stride=2, padding=p)
    print(f"k={k}, s=2, p={p}: 14×14 -> {tuple(up(x14).shape[2:])};  (14 - 1)·2 - 2·{p} + {k} = "
          f"{transposed_output_size(14, k, padding=p, stride=2)}")
decoder = nn.Sequential(nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1), nn.ConvTranspose2d(1, 1, 4, 2, 1))
print("two k=4, s=2, p=1 layers on 7×7:", [tuple(m(torch.zeros(1, 1, 7, 7)).shape[2:]) for m in
                                          (decoder[0], decoder)])

# %% [markdown] slide="notes"
# **Say:** the third line: k = 2, s = 2, p = 0 also doubles, the copies touch without overlapping. A DCGAN-style
# generator stacks k = 4, s = 2, p = 1 layers: the last line, 7 → 14 → 28, the size of an MNIST digit.

# %% [markdown] minutes=4
# ## `output_padding`: which size do you want back?
#
# A stride-2 convolution with $k = 3, p = 1$ sends **both** 5×5 and 6×6 to 3×3 (the floor). Going back, the
# formula gives the smaller one; `output_padding` (less than the stride) adds rows and columns at the bottom right.

# %% [markdown] slide="notes"
# **Say:** this comes from the floor in the convolution's formula: two input sizes give one output size, so the shape
# calculation cannot be run backwards to a single answer. In a decoder that must match an encoder's 6×6 map (a
# U-Net skip connection), you need `output_padding=1`, or `F.interpolate(..., size=...)`.

# %% include="sizes_down = {n:"

# %% [markdown] slide="notes"
# **Ask:** why must `output_padding` be smaller than the stride? (A stride-s convolution merges s neighbouring
# input sizes into one output size; 0 to s − 1 reaches each of them. One more is a size that the convolution
# would send to a larger output.) PyTorch refuses it with an error.

# %% [markdown] minutes=5 core=true
# ## Why "transposed"?
#
# A convolution is linear, so it is a matrix: a 3×3 input (9 numbers) and a 2×2 kernel give 4 outputs, $y = Wx$.
# The transposed convolution with the same kernel multiplies by $W^\top$: 4 numbers back to 9.

# %% [markdown] slide="notes"
# **Say:** the cell reads W off `F.conv2d` by feeding it the nine one-pixel images, then checks two things: W
# transposed times y equals our `trans_conv`, and it equals the gradient of the convolution with respect to its
# input. That is how PyTorch computes backprop through every `nn.Conv2d`: with a transposed convolution.

# %% include="basis = torch.eye(9)"

# %% [markdown] slide="notes"
# **Say:** transposed, not inverse: $W^\top$ gives back the *shape*, not the input (the Pitfalls slide shows it).
# Common wrong answer, also in the name "deconvolution" (反卷积): "it undoes the convolution".

# %% [markdown]
# ### Predict: the weight shapes of `nn.ConvTranspose2d(3, 8, kernel_size=4)` and `nn.Conv2d(3, 8, kernel_size=4)`
#
# Both take 3 channels in and give 8 out.

# %% [markdown] slide="notes"
# **Answer:** ConvTranspose2d: (3, 8, 4, 4), in before out; Conv2d: (8, 3, 4, 4), out before in. The transposed
# layer stores the weight of the convolution it transposes, a Conv2d(8, 3), and uses it backwards. Common wrong
# answer: (8, 3, 4, 4) for both (learners' notes say ConvTranspose2d "takes the same parameters as Conv2d", which
# is true of its arguments, not of its weight).

# %%
t_layer, c_layer, back = nn.ConvTranspose2d(3, 8, 4), nn.Conv2d(3, 8, 4), nn.Conv2d(8, 3, 4)
print("ConvTranspose2d(3, 8, 4).weight:", tuple(t_layer.weight.shape), " bias:", tuple(t_layer.bias.shape))
print("Conv2d(3, 8, 4).weight:         ", tuple(c_layer.weight.shape))
print("Conv2d(8, 3, 4).weight:         ", tuple(back.weight.shape))
x8 = torch.randn(1, 8, 6, 6, requires_grad=True)
grad_out = torch.randn(1, 3, 3, 3)
back(x8).backward(grad_out)
torch.testing.assert_close(x8.grad, F.conv_transpose2d(grad_out, back.weight))
print("the input gradient of Conv2d(8, 3) == conv_transpose2d with its own weight")

# %% [markdown] slide="notes"
# **Say:** the assert sums up the slide: a ConvTranspose2d(3, 8) computes what the backward pass of a Conv2d(8, 3)
# computes, with the same (3, 8, 4, 4) tensor as its weight. The bias is different: one per *output* channel, 8 here.

# %% [markdown] minutes=6 core=true
# ## The checkerboard artifact
#
# Stride 2 and a 3×3 kernel: neighbouring copies overlap on some output pixels and not on others.
# Test it on a constant input: an 8×8 image of ones, and a kernel of ones.

# %% [markdown] slide="notes"
# **Say:** with a kernel of ones, each output pixel simply counts the copies that land on it. A smooth input should
# give a smooth output; watch what happens. A learners' note names the effect (棋盘效应), its cause in two words,
# uneven overlap (不均匀重叠), and the paper (Odena, Dumoulin & Olah, Distill 2016); this slide shows, pixel by
# pixel, what uneven overlap means.

# %% [markdown]
# ### Predict: how many copies land on each pixel away from the border, for k = 3, s = 2? And for k = 4, s = 2?

# %% [markdown] slide="notes"
# **Answer:** for k = 3 the counts alternate 4, 2, 4, 2 on one row and 2, 1, 2, 1 on the next: a checkerboard of
# 4, 2 and 1. For k = 4 every interior pixel gets 4. Common wrong answers: "the same everywhere, the input is
# constant", "9, the kernel has 9 entries", or 9/4 (the *average* number of copies per pixel, which is right on
# average and wrong everywhere). Do not give the general rule yet: the explorer and exercise 2 find it.

# %% include="counts_k3 = F.conv_transpose2d(ones"

# %% [markdown] slide="notes"
# **Say:** a layer with a perfectly smooth input paints a pattern of its own. In 2-D the row pattern and the column
# pattern multiply: 2 × 2 = 4 where both overlap, 1 where neither does.
# **Ask:** what happens when the kernel is smaller than the stride, k = 1, s = 2? (Holes: pixels no copy reaches.
# The explorer shows it.)

# %% [markdown] minutes=4
# ## Even overlap is not enough
#
# With k = 4, s = 2 every pixel gets 4 copies, but a **learned** kernel's copies are not ones. Each kind of output
# pixel (even or odd row, even or odd column) sums a different 2×2 part of the kernel, `K[a::2, b::2]`.

# %% [markdown] slide="notes"
# **Say:** a random 4×4 kernel, the same constant input. Unless the four partial sums agree, the output is still a
# checkerboard. Odena et al. report that learned deconvolutions with even overlap still show checkerboards,
# in practice; this is why. **Ask:** what would training have to do to remove the pattern? (Make the four sums
# equal; nothing in the loss asks for it.)

# %% include="K_rand = torch.rand(4, 4"

# %% [markdown] slide="notes"
# **Say:** the printed corner repeats a 2×2 pattern; the assert checks it is exactly the four partial sums, tiled
# over the whole interior.

# %% [markdown] minutes=4 core=true
# ## The fix: resize, then convolve
#
# Upsample with `F.interpolate` (one copy per output pixel, no overlap question), then learn with an ordinary
# stride-1 convolution (padding keeps the size). Every output pixel sees the same number of inputs.

# %% [markdown] slide="notes"
# **Say:** on a digit made pure black and white, so the inside of a stroke is constant: any pattern there is an
# artifact. All three use averaging kernels, so their brightness is comparable.
# **Ask:** which of the three will be striped inside the strokes? (Only transposed k = 3, s = 2.)

# %% slide="skip"
plt.rcParams["figure.dpi"] = 72  # the next figure shares its slide with 19 lines of code: draw it smaller

# %% slide="sub" include="def resize_conv("

# %% [markdown] slide="notes"
# **Say:** transposed k = 3 shows a fine grid inside the 7's strokes; k = 4 and resize + conv are smooth here
# (with these averaging kernels; a learned k = 4 kernel need not be, previous slide). Resize-then-convolve costs
# one interpolation more, and the convolution now runs on the large map.

# %% slide="skip"
plt.rcParams["figure.dpi"] = DPI

# %% slide="sub" include="patch_k3 = stroke"

# %%
for name in ("transposed k=4, s=2", "resize + conv k=3"):
    patch = stroke[name][2 * r:2 * r + 2, 2 * c:2 * c + 2]  # the same 2×2 patch
    print(f"{name} paints {[round(v, 4) for v in patch.flatten().tolist()]}")

# %% [markdown] slide="notes"
# **Say:** one 2×2 patch inside the stroke, where the input and its neighbours are all 1. Transposed k = 3 paints
# the copy counts 4, 2, 2, 1 times 4/9; the other two give 1 on all four pixels.

# %% [markdown] minutes=4 core=true
# ## Explorer: kernel size vs stride
#
# Middle: the copies on each output pixel (top-left corner). Right: the upsampled digit. Both run our own
# `trans_conv` and `resize_conv`.

# %% [markdown] slide="notes"
# **Say:** the explorer receives our two functions and only draws what they compute. The caption under the
# controls says whether the overlap away from the border is even.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
board = CheckerboardExplorer(digits[0, 0], trans_conv, resize_conv)
board

# %% [markdown] slide="notes"
# **Do:** start at kernel 3, stride 2 (uneven: 1 to 4 copies); then kernel 4 (even); kernel 1 (holes, 0 copies);
# kernel 5 (uneven again: a larger kernel is not the fix). Then switch to "resize + conv" and move the kernel:
# even for every size. Stay at stride 2: stride 3 is exercise 2's table. **Ask:** which rule predicts even
# overlap: an odd kernel, a kernel larger than the stride, or a stride that divides the kernel? Let the class
# argue; do not confirm it here: it is exercise 2(c).

# %% slide="skip"
for setting in [(3, 2, "transposed conv"), (4, 2, "transposed conv"), (1, 2, "transposed conv"),
                (5, 2, "transposed conv"), (3, 2, "resize + conv")]:
    print(setting[:2], board.describe(board.compute(*setting)))
assert board.compute(3, 2, "transposed conv").uneven and not board.compute(4, 2, "transposed conv").uneven
assert not board.compute(5, 2, "resize + conv").uneven

# %% [markdown] minutes=4
# ## Pitfall: padding makes a transposed convolution *smaller*
#
# For a convolution, padding adds a border. For a transposed convolution it crops the output.

# %% [markdown] slide="notes"
# **Say:** this is the formula's −2p, seen from the learner's side. It surprises people who set `padding=1` "to
# keep the size" as they would in a `Conv2d`.

# %% [markdown]
# ### Predict: a 4×4 map and a 3×3 kernel, `padding=0` and then `padding=1`
#
# The output sizes of `F.conv2d`, and of `F.conv_transpose2d`?

# %% [markdown] slide="notes"
# **Answer:** conv2d: 2×2, then 4×4; conv_transpose2d: 6×6, then 4×4 ((4 − 1) + 3 = 6, minus 2·1). Common wrong
# answer: 8×8 for the transposed one with padding 1 ("padding adds two rows"). To make the output larger, raise
# the stride or the kernel, not the padding.

# %% include="x44, k33 = "

# %% [markdown] slide="notes"
# **Say:** for a 3×3 kernel, `padding=1` keeps 4×4 in *both* cases, which hides the difference; only `padding=0`
# shows that one grows and the other shrinks.

# %% [markdown] minutes=3
# ## Pitfall: "deconvolution" does not undo a convolution
#
# A stride-2 convolution, then the transposed convolution with the same kernel: the shape comes back, the input
# does not. Its matrix is $W^\top$, not $W^{-1}$.

# %% [markdown] slide="notes"
# **Say:** the name "deconvolution" (反卷积) is common in papers and blog posts, and misleading: in signal
# processing a deconvolution does invert a convolution. Here only the shape is undone.

# %% include="round_trip = F.conv_transpose2d"

# %% [markdown] slide="notes"
# **Ask:** could *any* layer give the input back after this stride-2 convolution? (No: its output holds far fewer
# numbers than the 5×5 input, so many inputs share one output. The information is gone, as after pooling.)

# %% [markdown] minutes=22
# ## In class: exercises
#
# In the student edition (`student/05_upsampling.ipynb`), in pairs:
#
# 1. nearest-neighbour upsampling written as **one** call to `F.conv_transpose2d` (which kernel and stride make
#    the copies tile without overlap?);
# 2. run it, then read it: a table of the fewest and most copies per pixel for several (kernel, stride) pairs;
#    (a) which overlap evenly, (b) which leave holes, (c) which rule predicts even overlap.
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 8 minutes for exercise 1, 10 for exercise 2, and the rest to compare answers. Walk around; the
# hints name what is off without the answer. Before exercise 1, ask: why has nearest upsampling no checkerboard?
# Before exercise 2(c), ask the class to commit to a rule in writing. The answers are in the answer key
# (TEACHING.md). After exercise 2, let one pair state the rule for the class, with the table as evidence.

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * `F.interpolate` upsamples with no parameters: nearest copies blocks, bilinear blends (`[1, 2]` →
#   `[1, 1.25, 1.75, 2]`). Neither brings back detail that pooling threw away.
# * A transposed convolution scatters a learned kernel: output $(n - 1)s - 2p + k$ (padding crops;
#   `output_padding` picks the larger size). Its matrix is $W^\top$; its weight is (in, out, k, k).
# * Uneven overlap paints a checkerboard; even overlap is not enough for a learned kernel. Resize, then convolve.
#
# The chapter, with exercises and checkers: `notebooks/05_upsampling.ipynb`. Next: LeNet.

# %% [markdown] slide="notes"
# **Say:** the three questions to be able to answer tomorrow: the output size of a ConvTranspose2d, why it is
# called transposed, and why a decoder built from k = 3, s = 2 layers paints a grid. Hand out the student edition
# (`student/`, see TEACHING.md).
