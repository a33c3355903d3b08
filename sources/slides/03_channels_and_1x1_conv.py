# %% [markdown] minutes=2 core=true
# # 03 · Multiple channels and the 1×1 convolution
#
# Real images and feature maps have many channels. Today:
#
# 1. several input channels: one kernel per channel, then **add**;
# 2. several output channels: many kernels, maps **stacked**; the weight's shape;
# 3. the 1×1 convolution: a fully connected layer at every pixel (Network in Network);
# 4. what a layer costs, and how a 1×1 "bottleneck" cuts it; groups and depthwise convolutions.

# %% [markdown] slide="notes"
# **Say:** in the cross-correlation and the padding-and-stride chapters every tensor had one channel. A photo has
# three, and a layer in the middle of a network has dozens or hundreds. Today we see how a convolution handles
# them, and count what a layer costs.
# **Ask:** what shape does a batch of colour photos have in PyTorch? (B, C, H, W): batch, channels, height, width.
# **Do:** run the whole deck once before class (Run ▸ Run All Cells); every cell is live, so you can change a
# number and run it again on the projector.

# %% slide="skip"
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import data, plotting
from helpers.inspect import count_flops, count_params
from helpers.widgets.channels import ChannelMixer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)
plt.rcParams["figure.dpi"] = 90  # the chapter's figures, a little smaller, so that each fits a slide with its code

# %% [markdown] minutes=6 core=true
# ## Several input channels: one kernel per channel, then add
#
# A colour photo is (3, H, W). A kernel for it is (3, $k_h$, $k_w$): one 2-D kernel **per input channel**.
# Correlate each channel with its own kernel, then **add** the maps into one:
#
# $$Y[i, j] = \sum_{c} \sum_{a, b} X[c,\, i+a,\, j+b]\; K[c, a, b]$$

# %% [markdown] slide="notes"
# **Say:** the sum over channels is what lets one output value depend on colour: a kernel can weigh red against
# green. The learners' notes say it well: each channel gets a different kernel, then the channels are added
# (再相加). **Ask:** a 3×3 kernel for an RGB photo holds how many weights? (27: 3 × 3 × 3.)
# Common wrong answer: "9, the same kernel is used on all three channels". Each channel has its own 3×3 slice.

# %% [markdown]
# ### Predict: two 3×3 channels, 0…8 and 1…9; kernels `[[0, 1], [2, 3]]` on channel 0, `[[1, 2], [3, 4]]` on channel 1
#
# The output's shape, and its top-left value?

# %% [markdown] slide="notes"
# **Answer:** one 2×2 map, top-left 56: channel 0 gives 19 (the cross-correlation chapter's example), channel 1
# gives 1·1 + 2·2 + 4·3 + 5·4 = 37, and the two add up. Common wrong answers: 19 (only channel 0), or two 2×2 maps,
# one per channel (keeping the channels apart instead of adding them).

# %% include="def corr2d_multi_in("

# %% [markdown] slide="notes"
# **Say:** `corr2d` is the cross-correlation chapter's loop function, unchanged; `corr2d_multi_in` only zips
# channels with kernel slices and adds. The next cell checks it against `F.conv2d` on four more inputs.

# %% include="corr2d_multi_in == F.conv2d on 4 more inputs"

# %% [markdown] slide="notes"
# **Say:** `F.conv2d` wants a batch axis on the input and an output-channel axis on the weight: `X[None]` and
# `K[None]`. Here there is one output channel, so the weight is (1, c_in, $k_h$, $k_w$).

# %% slide="sub" include="fig, axes = plt.subplots(2, 4"

# %% [markdown] slide="notes"
# **Say:** each row: one input channel, its own kernel, their correlation. The two maps add up, value by value, to
# the output on the right. Common wrong answer: "the output has two channels, one per input channel". The sum
# leaves **one** map; more output maps need more kernels (the slide "Several output channels").

# %% [markdown]
# ### Predict: an input (1, 2, 3, 3) holding 0…17; a 3×3 kernel of ones on channel 0, zeros on channel 1
#
# No bias. The output's shape, and its value?

# %% [markdown] slide="notes"
# **Answer:** shape (1, 1, 1, 1), value 36 = 0 + 1 + … + 8: the 3×3 window covers the whole of channel 0, and
# channel 1 (9…17) is multiplied by zeros. This is a learner's own example. Common wrong answers: 153 (adding all
# 18 values, as if both kernels were ones), or two values 36 and 0 with shape (1, 2, 1, 1) (keeping the channels
# apart instead of adding them).

# %% include="a = torch.arange(18.0)"

# %% [markdown] slide="notes"
# **Say:** the layer's weight is (1, 2, 3, 3): one output channel, two input channels, 3×3. We overwrite it with
# ones and zeros to make the sum visible.

# %% [markdown] minutes=4 core=true
# ## Explorer: one output channel of a colour photo
#
# Pick a 3×3 kernel for each of R, G and B. The bottom row shows the three per-channel maps and their sum, which
# is the output channel; the caption compares it with one `F.conv2d` on the 3-channel photo.
#
# Try: identity on R, negative identity on G (red minus green); Sobel x on all three; Sobel x on R only.

# %% [markdown] slide="notes"
# **Say:** the explorer runs the chapter's own `corr2d_multi_in`, Python loops and all, so each change takes a
# moment to redraw. Pick one dropdown at a time.

# %% slide="skip"
# It draws the chapter's own corr2d_multi_in (included above), on a small photo so that each move stays quick, and
# its picture at 0.76 of its size, so that the controls and the picture fit one 1280×720 slide.
mixer = ChannelMixer(data.load_photo("astronaut", gray=False, size=96), corr2d_multi_in,
                     r="identity", g="negative identity", b="zero (ignore channel)").scaled(0.76)

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
mixer  # ChannelMixer(photo, corr2d_multi_in): our loops, one kernel per channel, then the sum

# %% [markdown] slide="notes"
# **Do:** start with R = identity, G = negative identity, B = zero: the sum is red minus green, so the orange suit
# and the flag's red stripes light up red, and white or grey areas (where red and green are equal) stay near zero.
# Then Sobel x on all three (an edge detector that ignores colour), then Sobel x on R only (edges of red things).
# **Ask:** with identity on all three channels, what is the output? (R + G + B: a grey-level picture of the
# photo.) The caption's "largest difference" shows our loops agree with `F.conv2d`.

# %% slide="skip"
assert mixer.state.weight.shape == (1, 3, 3, 3) and mixer.state.max_diff < 1e-5

# %% [markdown] minutes=5 core=true
# ## Several output channels: many kernels, maps stacked
#
# One (c_in, $k_h$, $k_w$) kernel gives one map. A layer holds $c_\text{out}$ of them and **stacks** their maps.
#
# Weight: **(c_out, c_in, $k_h$, $k_w$)**. Bias: **(c_out,)**, one per output channel.

# %% [markdown] slide="notes"
# **Say:** each output channel is its own detector, and it reads *all* input channels. That is why every later
# channel carries information from every input channel (a learner's note says the same).
# **Ask:** how many 2-D kernels does a layer from 2 to 3 channels hold? (6: one per pair of input and output
# channel.)

# %% include="def corr2d_multi_in_out("

# %% [markdown] slide="notes"
# **Say:** the kernel stack `K3` is (3, 2, 2, 2): 3 outputs, 2 inputs, 2×2. `torch.stack` puts the three maps on a
# new first axis, and the result agrees with `F.conv2d` on random shapes.

# %% [markdown]
# ### Predict: `nn.Conv2d(5, 10, kernel_size=3)` on a (1, 5, 100, 100) batch
#
# The output's shape, the weight's shape, and the number of parameters?

# %% [markdown] slide="notes"
# **Answer:** output (1, 10, 98, 98), weight (10, 5, 3, 3), bias (10,), 460 parameters = 10 · 5 · 3 · 3 + 10.
# Common wrong answers: output (1, 10, 100, 100) (no padding here, so 2 pixels are lost); weight (5, 10, 3, 3)
# (the constructor's order); 450 (forgetting the biases); 100 (ten 3×3 kernels plus biases, forgetting that each
# kernel has 5 channels).

# %% include="conv5 = nn.Conv2d(5, 10"

# %% [markdown] slide="notes"
# **Say:** the next cell of the chapter checks that the bias is added once per output channel, after the sum over
# the 5 input channels. The learners' notes build this very layer.

# %% [markdown] minutes=3 core=true
# ## Pitfall: the weight is (out, in, $k_h$, $k_w$)
#
# `nn.Conv2d(in, out, ...)` takes *in* first, but its weight starts with *out*, and height comes before width.

# %% [markdown] slide="notes"
# **Say:** a learner's note comments a hand-made kernel as `(in_channel, out_channel, k_w, k_h)`. Its kernel has
# one channel in and out and is 3×3, so both orders give the same shape, (1, 1, 3, 3), and the comment does no harm
# there. The cell builds a (2, 5) kernel and then passes a weight in the wrong order: PyTorch refuses it.
# Another note reads `bias.shape = [3]` as "the channels share one bias":
# there is one bias per **output** channel, shared by the input channels and all positions.
# The one exception, for later: `nn.ConvTranspose2d` stores (in, out, $k_h$, $k_w$) (the upsampling chapter).

# %% include="w_right = nn.Conv2d(3, 8"

# %% [markdown] slide="notes"
# **Ask:** when does the wrong order *not* raise? (Whenever in = out: PyTorch only checks the channels. The next
# sub-slide shows it.)

# %% slide="sub"
torch.manual_seed(0)
x8 = torch.randn(1, 8, 10, 10)
right = nn.Conv2d(8, 8, kernel_size=(2, 5))
wrong = right.weight.detach().permute(1, 0, 3, 2)  # read as (in, out, kw, kh): no error, since in = out
print("right order:", tuple(right(x8).shape), " wrong order:", tuple(F.conv2d(x8, wrong, right.bias).shape))
square = nn.Conv2d(8, 8, kernel_size=3)
same_shape = F.conv2d(x8, square.weight.detach().permute(1, 0, 3, 2), square.bias)
print(f"3×3 kernel, wrong order: shape {tuple(same_shape.shape)}, "
      f"largest difference from the right one {(same_shape - square(x8)).abs().max():.1f}")

# %% [markdown] slide="notes"
# **Say:** with in = out, a weight in the wrong order runs without an error. A (2, 5) kernel read as (5, 2) at
# least gives a wrong output shape, which a later layer may catch. A square kernel keeps the shape right, and only
# the numbers are wrong: nothing warns you. Build the weight from the layer (`layer.weight.shape`), do not guess it.

# %% [markdown] minutes=6 core=true
# ## The 1×1 convolution
#
# A 1×1 kernel sees one pixel: it finds no edges and no textures. It mixes **that pixel's channels**:
#
# $$Y[o, i, j] = \sum_c W[o, c]\; X[c, i, j]$$
#
# The same matrix–vector product at every pixel: **a fully connected layer applied to each pixel's channels**.

# %% [markdown] slide="notes"
# **Say:** the learners' notes have both halves: a 1×1 convolution is equivalent to a fully connected layer on each
# pixel (1×1 卷积与全连接等价), and it changes the number of channels. Common wrong answer: "a 1×1 convolution does
# nothing" (d2l's note: it extracts no features from neighbours). Spatially it does nothing; across channels it
# does everything a fully connected layer does. On a single-channel input it is only a scale.

# %% slide="sub" include="def corr2d_multi_in_out_1x1("

# %% [markdown] slide="notes"
# **Say:** three ways, one answer. The matrix product reshapes (c_in, h, w) to (c_in, h·w): each column is one
# pixel's channel vector. `nn.Linear` on channels-last does the same: move channels to the end, and every pixel is
# one "sample" of the linear layer.

# %% [markdown]
# ### Predict: two 1×1 kernels on an RGB photo
#
# (1, 3, 1, 1) with weights 0.2125, 0.7154, 0.0721 on R, G, B; and (3, 3, 1, 1) that sends R to B and B to R.
# What do the two outputs look like?

# %% [markdown] slide="notes"
# **Answer:** the first is the grey version of the photo (one channel: these are scikit-image's grey weights, and
# the chapter checks the match); the second has red and blue swapped, so the orange suit turns blue. Common wrong
# answer: "blurred" or "sharper": a 1×1 kernel never looks at neighbours, so nothing spatial changes.

# %% include="rgb = data.load_photo("

# %% [markdown] slide="notes"
# **Say:** a 1×1 layer is a colour transform. In a network its weights are learned and the output channel count
# is free: it is the cheap way to change the number of channels.

# %% [markdown]
# ### Predict: the parameters of a 1×1 layer from 256 to 64 channels

# %% [markdown] slide="notes"
# **Answer:** 16,448 = 256 · 64 weights + 64 biases; the weight is (64, 256, 1, 1), exactly `nn.Linear(256, 64)`.
# A 3×3 layer between the same channels has 147,520. Common wrong answers: 16,384 (forgetting the biases: the
# count only when the layer is built with `bias=False`); "it depends on the image size" (it never does: the same
# weights at every pixel).

# %%
squeeze = nn.Conv2d(256, 64, kernel_size=1)
print("1×1, 256 → 64:", tuple(squeeze.weight.shape), f"{count_params(squeeze):,} parameters")
print("nn.Linear(256, 64):", f"{count_params(nn.Linear(256, 64)):,} parameters")
print("3×3, 256 → 64:", f"{count_params(nn.Conv2d(256, 64, kernel_size=3)):,} parameters")
print("1×1, 256 → 64, bias=False (ResNet's):", f"{count_params(nn.Conv2d(256, 64, 1, bias=False)):,} parameters")

# %% [markdown] slide="notes"
# **Say:** ResNet's bottleneck blocks (the ResNet chapter) begin with a 1×1 layer from 256 to 64 channels too, before
# their 3×3 convolution. They build it with `bias=False`, because batch normalisation follows and would cancel a
# bias: the last line's count.

# %% [markdown] minutes=4
# ## Network in Network: an MLP at every pixel
#
# Lin, Chen & Yan (2013): after a convolution, two 1×1 convolutions with ReLUs, a small MLP at each position.
# The head: one map per class, then **global average pooling** (the mean of each map) gives the scores.

# %% [markdown] slide="notes"
# **Say:** this paper introduced the 1×1 convolution and global average pooling. The pooling head has no weights,
# and any input size gives 10 scores. **Ask:** why does the fully connected head fix the input size? (Its weight
# has one column per input value: 32 · 7 · 7 of them.)

# %% include="nin_head = nn.Sequential("

# %% [markdown] slide="notes"
# **Say:** compare the two counts the cell prints: no parameters for global average pooling, 15,690 for a fully
# connected head even on these small 7×7 maps, and it would only accept 7×7. GoogLeNet and ResNet (their chapters)
# keep the global average pooling but follow it with one small fully connected layer, from the channels to the
# classes; NiN's head has no fully connected layer at all.

# %% [markdown] minutes=4
# ## Every convolution is a fully connected layer on windows
#
# Flatten each (c_in, $k_h$, $k_w$) window (`F.unfold`), apply one `nn.Linear` to every window: same numbers.

# %% [markdown] slide="notes"
# **Say:** a learner's note says "Conv2d and a fully connected layer do the same arithmetic". True, window by
# window. The difference is **sharing**: one small linear layer reused at every position of the output.
# The same note says the fully connected layer keeps its pixels while the convolution merges them; here each
# window of 3 · 3 · 3 values becomes one position's 16 output channels.

# %% include="conv_small = nn.Conv2d(3, 16"

# %% include="fc_whole_image = nn.Linear("

# %% [markdown] slide="notes"
# **Say:** a fully connected layer from the whole (3, 32, 32) image to the same (16, 30, 30) output needs one weight
# per input–output pair: the second number. A convolution makes two assumptions (priors) to get down to the first:
# **locality** (each output reads only a 3×3 window) and **sharing** (every position uses the same weights).

# %% [markdown]
# ### Predict: which saves more parameters, locality or sharing?
#
# Locality alone: each of the 16 · 30 · 30 outputs has its own 3 · 3 · 3 weights and a bias, nothing shared.

# %% [markdown] slide="notes"
# **Answer:** sharing. Locality alone leaves 403,200 parameters, about 110× fewer than the fully connected
# 44,251,200; sharing then divides by 900 (the positions), down to the convolution's 448. Common wrong answer:
# "locality", because 44 million down to 0.4 million looks like the big step; here sharing is the larger factor.

# %%
local_params = 16 * 30 * 30 * (3 * 3 * 3 + 1)  # locality only: one window's weights and a bias per output value
shared_params = count_params(conv_small)
print(f"fully connected: {fc_params:,};  locality only: {local_params:,} ({fc_params / local_params:.0f}× fewer);  "
      f"locality and sharing: {shared_params:,} ({local_params / shared_params:.0f}× fewer again)")

# %% [markdown] slide="notes"
# **Say:** both priors fit images: nearby pixels belong together, and an edge is an edge wherever it is. PyTorch
# has no built-in layer with locality but no sharing (a "locally connected" layer), so the cell counts it by hand.

# %% [markdown] minutes=6 core=true
# ## What a layer costs
#
# A layer with weight (c_out, c_in, $k_h$, $k_w$) and an output of $h' \times w'$:
#
# * parameters: $c_\text{out}\, c_\text{in}\, k_h k_w + c_\text{out}$;
# * multiply-adds: $c_\text{out}\, h' w'$ output values, $c_\text{in}\, k_h k_w$ each.
#
# GoogLeNet's example: 192 channels at 28×28 into 32 channels with a 5×5 kernel (padding 2). Directly, or through a
# 1×1 layer down to 16 channels first (a **bottleneck**)?

# %% [markdown] slide="notes"
# **Say:** parameters do not depend on the image size; multiply-adds do. `count_flops` counts 2 FLOPs per
# multiply-add (one multiply, one add); we halve it. Biases are not counted: one addition per output value.

# %% [markdown]
# ### Predict: the multiply-adds of each, and how many times fewer for the bottleneck

# %% [markdown] slide="notes"
# **Answer:** direct 120.4 M, through the bottleneck 12.4 M: 9.7× fewer (and 153,632 parameters against 15,920).
# Work it on the board: 32 · 28 · 28 outputs × 192 · 25 each; then 16 · 784 × 192 plus 32 · 784 × 16 · 25.
# Common wrong answers: "more, it adds a layer"; "25× fewer" (comparing a 1×1 kernel with a 5×5 one and forgetting
# that the 5×5 layer is still there, now on 16 channels).

# %% include="def conv_mult_adds("

# %% include="fewer multiply-adds"

# %%
by_formula = [conv_mult_adds(192, 32, 5, 28, 28),
              conv_mult_adds(192, 16, 1, 28, 28) + conv_mult_adds(16, 32, 5, 28, 28)]
print("the formula, by hand:", [f"{m:,}" for m in by_formula], "== count_flops / 2:",
      by_formula == [m for _, m in cost.values()])

# %% [markdown] slide="notes"
# **Say:** `conv_mult_adds` is the slide's formula, and it gives the counter's numbers exactly: the board work is
# right. Same output shape, a tenth of the work. Whether 16 channels keep enough information is for training to
# decide: the GoogLeNet chapter trains it. The learners' notes list this as the third use of the 1×1 layer: it
# cuts the computation (大大减少计算量).

# %% [markdown] minutes=4
# ## Two convolutions in a row are one convolution
#
# Each layer is linear (plus a bias), so a 1×1 layer followed *directly* by a 3×3 layer is one 3×3 layer, whose
# weight reads only 16 combinations of the 192 input channels. A ReLU in between makes the pair more.

# %% [markdown] slide="notes"
# **Say:** this is why GoogLeNet puts a ReLU after every 1×1 reduction. Without it, the bottleneck is a low-rank
# factorisation: cheaper, and able to compute less than a free layer. The merged kernel is a matrix product of
# the two weights (the `einsum`); the first layer's bias passes through the second layer's weights.

# %% slide="sub" include="reduce_1x1, conv_3x3 = "

# %% [markdown] slide="notes"
# **Ask:** what does rank 16 of a (288, 192) matrix mean here? (The merged layer sees only a 16-dimensional view of
# the 192 input channels; the free layer sees all of them: rank 192.)

# %% [markdown] minutes=5 core=true
# ## Groups and depthwise convolutions
#
# `groups=g` splits the input and output channels into $g$ groups; output group $i$ sees only input group $i$.
# The weight is (c_out, c_in / g, $k_h$, $k_w$): $g$ times fewer weights.
#
# `groups=c_in` is **depthwise** (no mixing); add a 1×1 (pointwise) layer to mix: MobileNet's *depthwise separable*.

# %% [markdown] slide="notes"
# **Say:** the learners' notes meet groups (分组卷积, for lighter models) through AlexNet, whose layers were split
# into two groups, one per GPU. **Ask** before the next sub-slide: the parameters of a 64 → 128 3×3 layer with
# `groups=64`? (128 · 1 · 9 + 128.) Common wrong answer: "groups divides the biases too": there are still 128 biases.

# %% include="params_by_groups = {g:" slide="sub"

# %% include="separable = nn.Sequential("

# %% [markdown] slide="notes"
# **Say:** the depthwise separable pair is much cheaper, but it is a constrained special case, not an
# approximation of any full layer: every output channel sees input channel $c$ through the same 3×3 kernel, only
# scaled. With batch norm and ReLUs between the two halves (as in MobileNet) each half is a layer of its own.

# %% [markdown] minutes=25
# ## In class: exercises
#
# In the student edition (`student/03_channels_and_1x1_conv.ipynb`), in pairs:
#
# 1. the parameters of `nn.Conv2d(3, 64, kernel_size=7)`;
# 2. the multiply-adds of `nn.Conv2d(64, 128, 3, padding=1)` on one (64, 56, 56) input;
# 3. `conv1x1(X, W)` with `torch.einsum` or `@`, checked against `F.conv2d`;
# 4. predict, then measure: two 3×3 layers in a row as one kernel, found with an impulse.
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 4 minutes each for 1 and 2, 7 for 3, 10 for 4. Walk around; the hints name what is off without
# giving the answer. For 1 and 2, send pairs back to the cost formulas; for 3, to the matrix-product slide; for 4,
# ask first for a prediction of the merged kernel's side, and remind them that `nn.Conv2d` cross-correlates.
# The answers are in the answer key (TEACHING.md), not on these slides.

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * Input channels: one kernel per channel, maps **added**. Output channels: one kernel stack each, maps **stacked**.
# * Weight (out, in, $k_h$, $k_w$), bias (out,): one bias per output channel.
# * A 1×1 convolution is a fully connected layer at every pixel; it changes the channel count cheaply.
# * Cost: $c_\text{out} h' w' \cdot c_\text{in} k_h k_w$ multiply-adds; a 1×1 bottleneck cuts it.
# * `groups=g` divides the weights by $g$; depthwise + pointwise is MobileNet's layer.
#
# The chapter: `notebooks/03_channels_and_1x1_conv.ipynb`. Next: pooling.

# %% [markdown] slide="notes"
# **Say:** five ideas, and each one came with a number we computed: 36, (10, 5, 3, 3), 16,448, and the
# bottleneck's 9.7×. Next, the pooling chapter: a layer with no weights at all, which works on each channel on its
# own.
