# %% [markdown] minutes=2 core=true
# # 04 · Pooling
#
# Shrinking feature maps, one window at a time:
#
# 1. max and average pooling by hand, checked against PyTorch;
# 2. window, stride, padding and `ceil_mode`: the output's size;
# 3. channels, parameters, gradients, global average pooling;
# 4. why networks pool: a one-pixel shift, with and without it.

# %% [markdown] slide="notes"
# **Say:** in the padding-and-stride chapter we shrank maps with a stride. Today a second way that has nothing to
# learn: pooling.
# **Ask:** in the LeNet-style net of 刘二's lecture, what does `MaxPool2d(2)` do between the two convolutions?
# (Most say "halves the size"; keep that answer on the board, we test it on a 5×5 map today.)
# Run the whole deck once before class (Run ▸ Run All Cells; TEACHING.md gives its measured time); every cell is live.

# %% slide="skip"
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from torch import nn

from helpers import data, plotting
from helpers.inspect import conv_output_shape, count_params
from helpers.widgets.pooling import PoolingExplorer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown] minutes=2 core=true
# ## The idea: one number per window
#
# Slide a window over the feature map, as in cross-correlation, but keep only
#
# * its **maximum**: "is the pattern anywhere in here?", or
# * its **average**: "how much of it is in here?".
#
# No kernel, no weights: nothing to learn.

# %% [markdown] slide="notes"
# **Say:** a convolution answers *where* a pattern is, pixel by pixel; often we only need *whether* it is there,
# roughly where. A 2×2 window moved 2 pixels at a time keeps a quarter of the values, so the next layers do less work
# and each of their outputs sees a larger part of the image.
# Common wrong answer: "pooling is a convolution with a learned kernel". Average pooling is a convolution, but with
# a fixed kernel (that is exercise 2); max pooling is not a convolution at all.

# %% [markdown] minutes=5 core=true
# ## `pool2d` from scratch
#
# The same two loops as `corr2d`; the window moves **one pixel** at a time unless told otherwise.
# Padding adds a border first: `-inf` for max (it never wins), 0 for average.

# %% [markdown] slide="notes"
# **Say:** compare with `corr2d` from the cross-correlation chapter: the multiply-add becomes `window.max()` or
# `window.mean()`. This is d2l's `pool2d` with `stride` and `padding` added. **Ask:** before the next sub-slide,
# what do max and average give on `arange(9)` with a 2×2 window? (Ask two learners for their answers; the cell
# prints both.)

# %% include="def pool2d(" slide="sub"

# %% [markdown] slide="notes"
# **Say:** 3×3 in, 2×2 out: $(3 - 2)/1 + 1 = 2$ windows per side, because the stride is 1. Max `[[4, 5], [7, 8]]`,
# average `[[2, 3], [5, 6]]` (the top-left window: (0 + 1 + 3 + 4) / 4 = 2).
# **Point at** the `F.pad(..., value=-inf)` line: it is what makes padding harmless for max pooling.

# %% include="cases = [((5, 7), (2, 2), 1, 0)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** our loops agree with `F.max_pool2d` and `F.avg_pool2d` on random inputs with different windows, strides
# and paddings. The inputs are all negative on purpose: a border of zeros would win a max, and the test would see it.

# %% [markdown] minutes=5 core=true
# ## `nn.MaxPool2d`: the stride defaults to the window
#
# `nn.MaxPool2d(k)` and `nn.AvgPool2d(k)` move the window **k** pixels: the windows tile the map, they do not
# overlap. Our `pool2d` (and d2l's) moves it one pixel.

# %% [markdown] slide="notes"
# **Say:** this one default explains most of the surprises with pooling layers. The signature is
# `MaxPool2d(kernel_size, stride=None, ...)`, and `None` means "the same as `kernel_size`".

# %% [markdown]
# ### Predict: `nn.MaxPool2d(2)` on the same 3×3 `X` (0…8)
#
# Is it `pool2d`'s `[[4, 5], [7, 8]]`?

# %% [markdown] slide="notes"
# **Answer:** no: `[[4]]`, a 1×1 output. With stride 2 only one 2×2 window fits; the last row and column (2, 5, 6,
# 7, 8) are never looked at. Common wrong answer: `[[4, 5], [7, 8]]`, the stride-1 result of the previous slide
# (learners who wrote d2l's `pool2d` expect the layer to match it).

# %% include="layer_out = nn.MaxPool2d(2)(X[None, None])"

# %% [markdown] slide="notes"
# **Say:** read the stride before you read the output. Now the classic 4×4 example from the learners' notes.

# %% include="X4 = torch.tensor(" slide="sub"

# %% [markdown] slide="notes"
# **Say:** 16 values, four 2×2 windows, four maxima: `[[4, 8], [9, 8]]`. **Ask:** which value wins in the top-left
# window? (A 4, and there are two of them: ties happen, we come back to that with gradients.)

# %% [markdown]
# ### Predict: the 5×5 map of 刘二's lecture, through `nn.MaxPool2d(2)`
#
# `[[3, 4, 6, 5, 7], [2, 4, 6, 8, 2], [1, 6, 7, 8, 4], [9, 7, 4, 6, 2], [3, 7, 5, 4, 1]]`: the output's shape and
# values?

# %% [markdown] slide="notes"
# **Answer:** 2×2 and `[[4, 8], [9, 8]]`, exactly the 4×4 result: $\lfloor (5 - 2)/2 \rfloor + 1 = 2$ windows per
# side, so the last row and the last column are dropped and the corner 7 never reaches the output. Common wrong
# answers: 3×3 (rounding 2.5 up), or "halves the size" (a note says kernel 2 makes the map half as big: only for even
# sizes), or a 7 in the top-right corner.

# %% include="X5 = torch.tensor("

# %% [markdown] slide="notes"
# **Say:** the same four numbers as the 4×4 map: the fifth row and column changed nothing. "Pooling by 2 halves the
# size" holds only for even sizes. The next sub-slide shows which cells the windows cover.

# %% include="plotting.draw_grid(axes[0], X5" slide="sub"

# %% [markdown] slide="notes"
# **Say:** four windows outlined, and row 4 and column 4 lie in none of them. **Ask:** how would you keep them?
# (Padding, an even size, or `ceil_mode`: the next slide.)

# %% [markdown] minutes=4 core=true
# ## Padding, stride, rectangular windows, `ceil_mode`
#
# The same arguments as a convolution, as ints or (height, width) pairs, and the same size per side:
#
# $$\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$

# %% [markdown] slide="notes"
# **Say:** the next sub-slide runs d2l's three examples on a 4×4 `arange` (0…15). **Ask** before you show it:
# `MaxPool2d(3)` on 4×4? (One window fits: a single value, the maximum of the top-left 3×3.)

# %% include="X16 = torch.arange(16.0).reshape(1, 1, 4, 4)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** `[[10]]`: $\lfloor (4 - 3)/3 \rfloor + 1 = 1$. **Ask:** how can two different settings give the same
# `[[5, 7], [13, 15]]`? (Their windows differ, but each holds the same maximum: padding only adds `-inf`.)

# %% [markdown]
# ### Predict: the 5×5 map again, now `nn.MaxPool2d(2, ceil_mode=True)`
#
# What does rounding the division up change?

# %% [markdown] slide="notes"
# **Answer:** a 3×3 output, `[[4, 8, 7], [9, 8, 4], [7, 5, 1]]`: $\lceil (5 - 2)/2 \rceil + 1 = 3$, so a last,
# partial window is kept along each axis and the corner 7 reaches the output. Common wrong answers: "it pads the map
# with zeros" (it adds no values: the partial window is simply smaller), or "the same 2×2, ceil only matters for
# stride 1". PyTorch's extra rule: a `ceil_mode` window must start inside the input.

# %% include="ceiled = nn.MaxPool2d(2, ceil_mode=True)(X5[None, None])"

# %% [markdown] slide="notes"
# **Say:** `helpers.inspect.conv_output_shape` implements the formula, `ceil_mode` and that rule included; the
# chapter checks it against PyTorch on every combination of a small grid (next sub-slide, if you have time).

# %% include="n_checked = 0" slide="sub"

# %% [markdown] slide="notes"
# **Say:** the count comes from five sizes, four windows, three strides, every padding PyTorch allows (up to half
# the window) and both rounding modes. Skip this sub-slide in the 45-minute path.

# %% [markdown] minutes=4
# ## Where were the maxima? `return_indices` and `MaxUnpool2d`
#
# `return_indices=True` also returns each maximum's flat position (row × width + column).
# `nn.MaxUnpool2d` puts every maximum back there, zeros elsewhere.

# %% [markdown] slide="notes"
# **Say:** segmentation networks such as SegNet unpool this way to get sharp edges back; the upsampling chapter
# shows the other ways to upsample. **Ask:** index 12 in a 4×4 map is which row and column? (Row 3, column 0: the 9.)

# %% include="pooled, indices = nn.MaxPool2d(2, return_indices=True)(X4[None, None])"

# %% [markdown] slide="notes"
# **Say:** the other 12 of the 16 values are lost, and no layer can bring them back; unpooling only remembers where
# the winners were.

# %% include="p5, i5 = F.max_pool2d(X5[None, None], 2, return_indices=True)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** pooling 5×5 and 4×4 both give 2×2, so the unpooling layer cannot know which one you started from: by
# default it assumes 4×4. Pass `output_size=(5, 5)` to get the original size back.

# %% [markdown] minutes=4 core=true
# ## Where the gradient goes
#
# Pooling has no weights, but the gradient must pass through it to reach the layers below.

# %% [markdown] slide="notes"
# **Say:** each max-pool output is one input value, copied. **Ask:** if you nudge a value that is not the maximum of
# its window by a little, does the output change? (No.) So what is its gradient?

# %% [markdown]
# ### Predict: back-propagate `F.max_pool2d(x, 2).sum()` on the 4×4 map
#
# Which of the 16 inputs get a non-zero gradient, and how much? And through `F.avg_pool2d(x, 2)`?

# %% [markdown] slide="notes"
# **Answer:** max pooling: 1 at the four window maxima (the 4 at row 0, column 1, the two 8s and the 9), 0 at the
# other 12 (the positions `return_indices` reports, if you showed that slide). Average pooling: 0.25 for every
# input (each is a quarter of one output). Common wrong answers: "no gradient, pooling has no parameters" (no
# parameters of its own, but the gradient flows through it), 0.25 everywhere for max too, or "each tied 4 gets
# half" (PyTorch gives the whole gradient to one of them, here the first; the chapter notes this is not a documented
# promise).

# %% include="x4 = X4[None, None].clone().requires_grad_()"

# %% [markdown] slide="notes"
# **Say:** with max pooling only the winners learn in a step; with average pooling every input does, a little.
# Exercise 3 asks the same question for windows that overlap: do not answer it here.

# %% [markdown] minutes=3 core=true
# ## Channels and parameters
#
# Pooling works on each channel on its own: *c* channels in, the same *c* channels out, never mixed.

# %% [markdown] slide="notes"
# **Ask:** a colour photo (3, 128, 128) through `MaxPool2d(4)` and `AvgPool2d(4)`: what shape, and how many
# parameters? (3 × 32 × 32 each, and 0 parameters: the next cells print both.) Common wrong answer from learners
# used to convolutions: "one channel out, pooling sums the channels". It does not; that is what a convolution does.

# %% include="rgb = data.load_photo(" slide="sub"

# %%
print("parameters: MaxPool2d(4):", count_params(nn.MaxPool2d(4)), " AvgPool2d(4):", count_params(nn.AvgPool2d(4)),
      " Conv2d(3, 3, 4, stride=4):", count_params(nn.Conv2d(3, 3, 4, stride=4)))

# %% [markdown] slide="notes"
# **Say:** the colours survive because each channel is pooled separately. Max pooling looks brighter than average
# pooling: a maximum is never below the mean. A strided convolution also shrinks by 4, but it has parameters to learn.

# %% [markdown] minutes=4
# ## Adaptive average pooling
#
# `nn.AdaptiveAvgPool2d(output_size)` chooses the windows so that **any** input gives exactly `output_size`.
# Row $i$ of $m$ averages input rows $\lfloor i n / m \rfloor$ to $\lceil (i+1) n / m \rceil$ (end excluded).

# %% [markdown] slide="notes"
# **Say:** the windows may overlap and may differ in size. **Ask:** 7 rows into 3: which rows does each output row
# average? (0–2, 2–4, 4–6: row 2 and row 4 are used twice. The cell prints them as (start, end) with end excluded.)

# %% include="def adaptive_windows(" slide="sub"

# %% include="for shape, size in [((7, 7), (3, 3))"

# %% [markdown] slide="notes"
# **Say:** our loop version agrees with PyTorch, even when the output is larger than the input (5×5 to 7×7: windows
# repeat rows).

# %% [markdown] minutes=3 core=true
# ## Global average pooling
#
# `output_size=1`: one number per channel, the mean of the whole map. A head that starts with it accepts **any**
# image size.

# %% [markdown] slide="notes"
# **Say:** GoogLeNet and ResNet (the GoogLeNet and ResNet chapters) end with global average pooling and one small
# fully connected layer, instead of a big fully connected layer on the flattened map. **Ask:** why does
# `nn.Linear(16, 10)` work for every size below? (After the pooling there are always 16 numbers, one per channel.)
# Common wrong answer: "the Linear layer must change with the image size"; it does when you flatten the map, not
# after global pooling.

# %% include="head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))"

# %% [markdown] minutes=4 core=true
# ## Why pool? Shift an edge by one pixel
#
# A convolution is translation-**equivariant**: shift the input, the output shifts with it.
# A 2×2 max pool adds a little **invariance**: its output stays put while the edge stays in one window.

# %% [markdown] slide="notes"
# **Say:** a 6×8 image, black left of a column, white from it on, and the kernel `[[-1, 1]]`, which gives +1 at the
# step. Then a 2×2 max pool. We move the edge one pixel right, twice.

# %% [markdown]
# ### Predict: the edge moves from column 3 to 4, then to 5
#
# The convolution's row moves each time. Does the pooled row change?

# %% [markdown] slide="notes"
# **Answer:** from 3 to 4, no: both give `[0, 1, 0]`, the +1 stays inside one 2×2 window. From 4 to 5, yes: it
# becomes `[0, 0, 1]`, the +1 has crossed a window boundary. Common wrong answers: "pooling makes the network
# shift-invariant, so it never changes" (learners' notes call weight sharing 平移不变性; it is equivariance, and
# pooling adds invariance only within a window), or "it changes every time, like the convolution".

# %% include="def edge_image("

# %% [markdown] slide="notes"
# **Say:** pooling does not make a network shift-invariant; it makes it *less sensitive* to small shifts.
# The next slide measures how much less, on real handwriting.

# %% [markdown] minutes=3 core=true
# ## Shift tolerance on real digits
#
# 64 MNIST test digits, edge features (ReLU of two Sobel filters), and the same digits moved one pixel right.
# How alike do the features stay? (Cosine similarity: 1 = identical.)

# %% [markdown] slide="notes"
# **Ask:** with a larger pooling window, do the shifted features stay more or less alike? (More: the next sub-slide
# prints the mean similarity for no pooling, window 2 and window 4.) **Say:** larger windows tolerate larger shifts,
# and keep less of *where*: a trade-off.

# %% include="digits, labels = data.load_mnist(train=False, normalize=False, limit=64)" slide="sub"

# %% [markdown] slide="notes"
# **Say:** 0.70 without pooling, 0.83 with window 2, 0.92 with window 4. Rolling right by one pixel is a clean shift
# here: these digits have an empty last column. **Ask:** so why not pool with a much larger window? (Each output
# then says less and less about *where* an edge is, and the next layers need that to tell strokes apart.)

# %% [markdown] minutes=4
# ## Three ways to halve a map
#
# * a **strided convolution**: keep every second window;
# * **max pooling** 2×2;
# * **anti-aliased pooling** (Zhang, *Making convolutional networks shift-invariant again*): max at stride 1,
#   blur with $\frac{1}{16}[1, 2, 1]^\top[1, 2, 1]$, then keep every second pixel.

# %% [markdown] slide="notes"
# **Say:** keeping every second pixel of a map with sharp detail is what makes a one-pixel shift change so much
# (signal processing calls it aliasing); the blur removes that detail first.

# %% [markdown]
# ### Predict: which way keeps a digit and its shifted copy most alike?
#
# Rank the three, on the same 64 digits and edge features.

# %% [markdown] slide="notes"
# **Answer:** keeping every second pixel is the least alike (0.69 on average, no better than no downsampling's 0.70
# on the previous slide), max pooling is in the middle (0.83), anti-aliased pooling is the most alike (0.90), and it
# beats plain max pooling on 100% of these 64 digits. Common wrong answers: "a strided convolution is as good as
# pooling, both halve the map", or "the blur throws detail away, so it must do worse".

# %% include="blur_121 = "

# %% [markdown] slide="notes"
# **Say:** Zhang's paper found the same on ImageNet classifiers: anti-aliased ResNets change their prediction under
# small shifts less often. Printed numbers are from this run; the chapter checks them with a tolerance.

# %% [markdown] minutes=3 core=true
# ## Explorer: pooling a digit
#
# Window, stride, padding and mode, through **our** `pool2d`. The outlined squares are the first three windows;
# padding shows in blue. Try 2/2, then 3/2 with padding 1, then padding 2 with window 3.

# %% [markdown] slide="notes"
# **Do:** window 2, stride 2: the windows tile and the digit's size halves (the line under the sliders gives both
# shapes). Window 3, stride 2, padding 1: the windows overlap, and the size is the same as at 2/2. Window 3,
# padding 2: PyTorch refuses (padding may be at most half the window), and the explorer shows its message. A stride
# larger than the window: pixels are skipped.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
pool_explorer = PoolingExplorer(digits[0, 0], pool2d).scaled(0.8)  # drawn smaller, to fit a 1280×720 projector
pool_explorer

# %% [markdown] slide="notes"
# **Ask:** at window 2 and stride 2, what does padding 1 do to the output's size? (It grows by one row and one
# column: read the line under the sliders.) The right panel's title says whether our `pool2d` equals PyTorch's.

# %% slide="sub"
state = pool_explorer.compute(window=3, stride=2, padding=1, mode="max")
assert state.shape == state.expected_shape == (14, 14) and state.matches_torch and state.overlap
pool_explorer.static_figure(window=3, stride=2, padding=1, mode="max");

# %% [markdown] slide="notes"
# **Say:** the same explorer drawn once, for the handout or a projector without widgets: window 3, stride 2,
# padding 1 turns the 28×28 digit into 14×14, as window 2, stride 2 does, but here the windows overlap. The cell
# asserts the shape and the agreement with PyTorch for the max pooling it draws.

# %% [markdown] minutes=4
# ## Pitfalls from the learners' notes
#
# * "`padding` adds zeros to each border": for max pooling the border is `-inf`. For average pooling it is zeros, and
#   they count in the mean unless `count_include_pad=False`.
# * "conv → pool → ReLU or conv → ReLU → pool: either order": true for max, not for average.

# %% [markdown] slide="notes"
# **Say:** both sentences come from learners' notes (a PyTorch parameter list, and a lecture summary). The cells on
# the next sub-slide test them on a map of −1s and on a random map. Max and ReLU are both monotone, so they commute;
# the mean of ReLUs is not the ReLU of the mean.

# %% include="negative = -torch.ones(1, 1, 4, 4)" slide="sub"

# %% include="fmap = torch.randn(1, 4, 8, 8)"

# %% [markdown] slide="notes"
# **Say:** with zero padding a max over −1s would give 0 at the border; it gives −1. The average's corner window holds
# 4 real values and 5 padded zeros. **Ask:** which order is cheaper for max pooling? (Pool first: the ReLU then runs
# on a quarter of the values, same result.)

# %% [markdown] minutes=22
# ## In class: exercises
#
# In the student edition (`student/04_pooling.ipynb`), in pairs:
#
# 1. the shape that `nn.MaxPool2d(3, stride=2, ceil_mode=True)` makes of (1, 16, 14, 14);
# 2. average pooling as **one** call to `F.conv2d`;
# 3. run it, then read it: overlapping 3×3 windows at stride 1, which inputs get a gradient, and how much?
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 5 minutes for 1, 7 for 2, 10 for 3. Walk around; the hints name what is off without the answer.
# Before exercise 1, remind them of the ceil formula; before exercise 3, ask for a prediction on paper first.
# Common stumbles: in 1, forgetting that channels do not change; in 2, forgetting the stride (a convolution's
# default is 1, pooling's is the window). The solutions are folded in the chapter (`notebooks/04_pooling.ipynb`).

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * Pooling keeps each window's max or mean: no parameters, one channel at a time.
# * `nn.MaxPool2d(k)` moves k pixels; size per side $\lfloor (n + 2p - k)/s \rfloor + 1$; 5×5 pooled by 2 is 2×2,
#   or 3×3 with `ceil_mode=True`.
# * Max pooling sends each output's gradient to its window's maximum; average pooling spreads it evenly.
# * Global average pooling: one number per channel, so one head fits any image size.
# * Pooling tolerates small shifts, only within a window; blurring before subsampling tolerates more.
#
# Next: **05 · Upsampling**, growing feature maps back.

# %% [markdown] slide="notes"
# **Say:** the exercises: a pooled shape with `ceil_mode`, average pooling as a convolution, and the gradient through
# overlapping windows. Hand out the student edition (`student/04_pooling.ipynb`).
