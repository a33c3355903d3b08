# %% [markdown]
# # 03 · Multiple channels and the 1×1 convolution
#
# **What you will learn**
#
# 1. How a convolution handles a colour image: one kernel per input channel, results added.
# 2. How many kernels make many output channels, and why the weight has shape (out, in, $k_h$, $k_w$).
# 3. Why a 1×1 convolution is a fully connected layer applied at every pixel, and why *every* convolution is a
#    matrix product on unfolded patches.
# 4. What a layer costs in parameters and multiply-adds, how a 1×1 "bottleneck" cuts the cost tenfold, and why two
#    convolutions with nothing between them are still one convolution.
# 5. Grouped and depthwise convolutions, and the module `nn.Conv2d` versus the function `F.conv2d`.
#
# As before, every number the text states is computed in a cell and checked in the folded "Checks for this section"
# cell at the end of each section (you can skip those cells).

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import checks, data, plotting
from helpers.inspect import count_flops, count_params, layer_table
from helpers.widgets.channels import ChannelMixer

torch.manual_seed(0)
torch.set_printoptions(precision=4, sci_mode=False)

# %% [markdown]
# ## 1. Several input channels
#
# A colour photo is a (3, H, W) tensor: red, green and blue planes. A kernel for it is (3, $k_h$, $k_w$): one 2-D
# kernel **per input channel**. Correlate each channel with its own kernel, then **add** the three results into a
# single map. The sum is what makes the output depend on colour: a kernel can weigh red against green.
#
# We reuse `corr2d` from the cross-correlation notebook (saved in `helpers.lessons`) and sum over channels:

# %%
from helpers.lessons import corr2d  # the cross-correlation notebook's loops


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """X (c_in, h, w), K (c_in, kh, kw): correlate channel by channel, then add the maps."""
    return sum(corr2d(x, k) for x, k in zip(X, K, strict=True))


X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
per_channel = [corr2d(x, k) for x, k in zip(X, K, strict=True)]
print("channel 0:", per_channel[0].tolist(), " channel 1:", per_channel[1].tolist())
Y = corr2d_multi_in(X, K)
Y

# %%
# PyTorch: input (batch, c_in, h, w), weight (c_out, c_in, kh, kw) with c_out = 1
torch.testing.assert_close(F.conv2d(X[None], K[None])[0, 0], Y)
for c, shape, kshape in [(3, (6, 7), (3, 3)), (1, (5, 5), (2, 4)), (5, (8, 4), (3, 2)), (2, (4, 9), (1, 1))]:
    A, B = torch.randn(c, *shape), torch.randn(c, *kshape)
    torch.testing.assert_close(corr2d_multi_in(A, B), F.conv2d(A[None], B[None])[0, 0], atol=1e-5, rtol=1e-5)
print("corr2d_multi_in == F.conv2d on 4 more inputs (1 to 5 channels)")

# %% [markdown]
# The picture: each row is one input channel, its kernel and their correlation; the two maps add up to the
# output on the right.

# %%
fig, axes = plt.subplots(2, 4, figsize=(9, 4.4), gridspec_kw={"width_ratios": [3, 2, 2, 2]})
for c in range(2):
    plotting.draw_grid(axes[c, 0], X[c], (0, 0, 2, 2), f"input channel {c}")
    plotting.draw_grid(axes[c, 1], K[c], None, f"kernel {c}", cmap="Oranges")
    plotting.draw_grid(axes[c, 2], per_channel[c], (0, 0, 1, 1), f"channel {c} ⋆ kernel {c}", cmap="Purples")
plotting.draw_grid(axes[0, 3], Y, (0, 0, 1, 1), "sum = output", cmap="Greens")
axes[1, 3].axis("off")
axes[1, 3].text(0.5, 0.5, "19 + 37 = 56", ha="center", va="center", fontsize=11)
fig.tight_layout()

# %%
assert per_channel[0][0, 0] + per_channel[1][0, 0] == Y[0, 0] == 56

# %% [markdown]
# A second example, from a learner's notes: an input (1, 2, 3, 3) holding 0…17, and a layer whose kernel is all
# ones on channel 0 and all zeros on channel 1. The 3×3 window covers the whole image, so the output is one value:
# the sum of channel 0, $0 + 1 + \dots + 8$, plus nothing from channel 1.

# %%
a = torch.arange(18.0).reshape(1, 2, 3, 3)
conv_a = nn.Conv2d(2, 1, kernel_size=3, bias=False)
print("weight shape:", tuple(conv_a.weight.shape))
conv_a.weight = nn.Parameter(torch.stack([torch.ones(3, 3), torch.zeros(3, 3)])[None])
out_a = conv_a(a)
print(out_a.detach())

# %%
assert out_a.item() == 36 == sum(range(9))

# %%
# Checks for this section (you can skip this cell)
assert per_channel[0].tolist() == [[19, 25], [37, 43]] and per_channel[1].tolist() == [[37, 47], [67, 77]]
assert Y.tolist() == [[56, 72], [104, 120]]
assert conv_a.weight.shape == (1, 2, 3, 3) and out_a.shape == (1, 1, 1, 1)


# %% [markdown]
# ## 2. Several output channels
#
# One (c_in, $k_h$, $k_w$) kernel gives one output map. A layer wants many maps (each a different detector), so
# it holds $c_\text{out}$ such kernels and **stacks** their maps. Its weight is therefore 4-D:
# **(c_out, c_in, $k_h$, $k_w$)**, plus one bias per output channel.

# %%
def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """X (c_in, h, w), K (c_out, c_in, kh, kw): one multi-input correlation per output channel, stacked."""
    return torch.stack([corr2d_multi_in(X, k) for k in K])


K3 = torch.stack([K, K + 1, K + 2])
Y3 = corr2d_multi_in_out(X, K3)
print(tuple(K3.shape), "->", tuple(Y3.shape))
for c_in, c_out, shape, kshape in [(3, 4, (6, 6), (3, 3)), (1, 2, (5, 7), (2, 2)), (4, 1, (7, 5), (1, 3))]:
    A, B = torch.randn(c_in, *shape), torch.randn(c_out, c_in, *kshape)
    torch.testing.assert_close(corr2d_multi_in_out(A, B), F.conv2d(A[None], B)[0], atol=1e-5, rtol=1e-5)
print("corr2d_multi_in_out == F.conv2d on 3 random shapes")

# %% [markdown]
# The layer from the notes: 5 input channels, 10 output channels, a 3×3 kernel, on a 100×100 image.

# %%
torch.manual_seed(0)
conv5 = nn.Conv2d(5, 10, kernel_size=3)
x5 = torch.randn(1, 5, 100, 100)
y5 = conv5(x5)
print("input", tuple(x5.shape), "output", tuple(y5.shape), "weight", tuple(conv5.weight.shape),
      "bias", tuple(conv5.bias.shape), "parameters", count_params(conv5))

# %%
assert y5.shape == (1, 10, 98, 98)
assert conv5.weight.shape == (10, 5, 3, 3) and conv5.bias.shape == (10,)
# one bias per OUTPUT channel, added once after the sum over the 5 input channels
no_bias = F.conv2d(x5, conv5.weight)
torch.testing.assert_close(y5, no_bias + conv5.bias[None, :, None, None])

# %%
# Checks for this section (you can skip this cell)
assert K3.shape == (3, 2, 2, 2) and Y3.shape == (3, 2, 2)
assert Y3[0].tolist() == Y.tolist()  # the first output channel is the example above
assert count_params(conv5) == 10 * 5 * 3 * 3 + 10 == 460


# %% [markdown]
# ## 3. The 1×1 convolution
#
# With $k_h = k_w = 1$ a kernel sees one pixel, so it cannot detect edges or textures. What it *can* do is mix
# the channels of that pixel: output channel $o$ at pixel $(i, j)$ is $\sum_c W[o, c] \, X[c, i, j]$. That is a
# matrix–vector product, the same one at every pixel: **a fully connected layer applied to each pixel's vector of
# channels**. Three ways to compute it:

# %%
def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """1×1 convolution as one matrix product: (c_out, c_in) @ (c_in, h*w)."""
    c_in, h, w = X.shape
    Y = K.reshape(K.shape[0], c_in) @ X.reshape(c_in, h * w)
    return Y.reshape(K.shape[0], h, w)


def conv1x1_as_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """nn.Linear on channels-last pixels: (B, C, H, W) -> (B, H, W, C) -> Linear -> back to (B, C, H, W)."""
    linear = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        linear.weight.copy_(weight.reshape(weight.shape[0], weight.shape[1]))
        linear.bias.copy_(bias)
    return linear(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


for c_in, c_out, h, w in [(3, 2, 3, 3), (8, 16, 5, 7), (64, 4, 2, 9), (1, 3, 6, 6)]:
    Xr, Kr, br = torch.randn(c_in, h, w), torch.randn(c_out, c_in, 1, 1), torch.randn(c_out)
    torch.testing.assert_close(corr2d_multi_in_out_1x1(Xr, Kr), corr2d_multi_in_out(Xr, Kr), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(corr2d_multi_in_out_1x1(Xr, Kr), F.conv2d(Xr[None], Kr)[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(conv1x1_as_linear(Xr[None], Kr, br).detach(), F.conv2d(Xr[None], Kr, br),
                               atol=1e-5, rtol=1e-5)
print("1×1 conv: loops == matmul == F.conv2d == nn.Linear on channels-last, on 4 random shapes")

# %% [markdown]
# On a photo, a 1×1 convolution is a colour transform. Grey is $0.2125 R + 0.7154 G + 0.0721 B$ (the weights
# scikit-image uses), a (1, 3, 1, 1) kernel; swapping red and blue is a (3, 3, 1, 1) permutation kernel:

# %%
rgb = data.load_photo("astronaut", gray=False, size=128)
to_gray = torch.tensor([0.2125, 0.7154, 0.0721]).reshape(1, 3, 1, 1)
swap_rb = torch.eye(3)[[2, 1, 0]].reshape(3, 3, 1, 1)
gray_1x1 = F.conv2d(rgb[None], to_gray)[0]
swapped = F.conv2d(rgb[None], swap_rb)[0]
plotting.show_images([rgb, gray_1x1, swapped], titles=["photo (3 channels)", "1×1 conv → 1 channel",
                                                     "1×1 conv → 3 channels, R↔B"], scale=2.6);

# %%
gray_skimage = data.load_photo("astronaut", gray=True, size=128)
torch.testing.assert_close(gray_1x1[0], gray_skimage, atol=1e-5, rtol=0)

# %% [markdown]
# In a network the 1×1 weights are learned, and the number of output channels is free: a 1×1 layer is the cheap
# way to **change the channel count** (GoogLeNet, ResNet's bottlenecks, section 5).

# %% [markdown]
# ### Where the 1×1 convolution comes from: Network in Network
#
# Lin, Chen & Yan (2013, *Network in Network*) introduced the idea: after each ordinary convolution, put two 1×1
# convolutions with ReLUs, a small MLP run at every pixel ("mlpconv"), so that each position computes a non-linear
# function of its channels instead of a linear one. The same paper dropped the big fully connected classifier at
# the end: its last mlpconv block outputs **one channel per class**, and **global average pooling** (the mean of
# each channel over all positions) turns those maps into the class scores. No weights in the head, and any input
# size works. A tiny NiN-style head for 10 classes:

# %%
torch.manual_seed(0)
nin_head = nn.Sequential(
    nn.Conv2d(32, 32, kernel_size=3, padding=1), nn.ReLU(),
    nn.Conv2d(32, 32, kernel_size=1), nn.ReLU(),  # the "MLP in the network": 1×1 layers with ReLUs
    nn.Conv2d(32, 10, kernel_size=1),  # one map per class
    nn.AdaptiveAvgPool2d(1), nn.Flatten())  # global average pooling: each map becomes one score
scores = {size: tuple(nin_head(torch.randn(2, 32, size, size)).shape) for size in (7, 12)}
fc_head = nn.Linear(32 * 7 * 7, 10)
print(f"scores for 7×7 and 12×12 maps: {scores}; parameters: global average pooling "
      f"{count_params(nin_head[-2:])}, a fully connected layer from (32, 7, 7) maps to 10 scores "
      f"{count_params(fc_head):,}")

# %%
assert scores == {7: (2, 10), 12: (2, 10)}  # any spatial size gives 10 scores

# %%
# Checks for this section (you can skip this cell)
assert torch.equal(swapped[0], rgb[2]) and torch.equal(swapped[2], rgb[0])
assert count_params(nin_head[-2:]) == 0 and count_params(fc_head) == 32 * 7 * 7 * 10 + 10

# %% [markdown]
# ## 4. Every convolution is a matrix product (im2col)
#
# A learner's note says: *Conv2d and a fully connected layer do the same arithmetic.* Here is the precise sense.
# `F.unfold` copies every $c_\text{in} \times k_h \times k_w$ window into a column (*im2col*). Flatten the
# weight to a $(c_\text{out},\; c_\text{in} k_h k_w)$ matrix, and one matrix product computes all output channels
# at all positions: a fully connected layer from a window to the output channels, **shared across positions**.

# %%
def conv2d_im2col(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                  stride: int = 1, padding: int = 0) -> torch.Tensor:
    """A 2-D convolution as unfold (im2col) + one matrix product."""
    b, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)  # (b, c_in*kh*kw, positions)
    out = weight.reshape(c_out, -1) @ cols  # (b, c_out, positions)
    if bias is not None:
        out = out + bias[:, None]
    h_out, w_out = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    return out.reshape(b, c_out, h_out, w_out)


for c_in, c_out, size, k, s, p in [(3, 8, 12, 3, 1, 1), (1, 4, 9, 5, 2, 2), (6, 2, 10, 2, 2, 0), (4, 5, 7, 1, 1, 0)]:
    xr, wr, br = torch.randn(2, c_in, size, size), torch.randn(c_out, c_in, k, k), torch.randn(c_out)
    torch.testing.assert_close(conv2d_im2col(xr, wr, br, s, p), F.conv2d(xr, wr, br, stride=s, padding=p),
                               atol=1e-4, rtol=1e-4)
print("unfold + matmul == F.conv2d on 4 configurations (channels, strides, paddings)")

# %% [markdown]
# The same thing with an actual `nn.Linear`: feed it one window (27 numbers for 3 channels × 3 × 3) and it
# returns that position's output channels.

# %%
torch.manual_seed(0)
conv_small = nn.Conv2d(3, 16, kernel_size=3)
fc_on_windows = nn.Linear(3 * 3 * 3, 16)
with torch.no_grad():
    fc_on_windows.weight.copy_(conv_small.weight.reshape(16, -1))
    fc_on_windows.bias.copy_(conv_small.bias)
img32 = torch.randn(1, 3, 32, 32)
windows = F.unfold(img32, 3).transpose(1, 2)  # (1, 900 positions, 27 values)
via_fc = fc_on_windows(windows).transpose(1, 2).reshape(1, 16, 30, 30)
torch.testing.assert_close(via_fc, conv_small(img32), atol=1e-5, rtol=1e-5)

# %% [markdown]
# The difference is not the arithmetic but the **sharing**: one small layer reused at all 900 positions. A fully
# connected layer producing the same (16, 30, 30) output from the whole (3, 32, 32) image would need a weight for
# every input–output pair:

# %%
fc_whole_image = nn.Linear(3 * 32 * 32, 16 * 30 * 30)
fc_params = count_params(fc_whole_image)
print(f"conv: {count_params(conv_small):,} parameters; fully connected: {fc_params:,}")
del fc_whole_image

# %%
# Checks for this section (you can skip this cell)
assert count_params(conv_small) == 448 and fc_params == 44_251_200

# %% [markdown]
# ## 5. What a layer costs, and the 1×1 bottleneck
#
# For a layer with weight (c_out, c_in, $k_h$, $k_w$) and an output of $h' \times w'$:
#
# * parameters: $c_\text{out} c_\text{in} k_h k_w + c_\text{out}$;
# * multiply-adds: every output value (there are $c_\text{out} h' w'$) takes $c_\text{in} k_h k_w$ of them.
#
# A *multiply-add* here is one weight times one input, added to a running sum; adding the bias is not counted
# (it is one addition per output value, small next to the rest). `helpers.inspect.count_flops` runs the model
# under `torch.utils.flop_counter`, which counts the same thing as **2 FLOPs per multiply-add** (one multiply, one
# add). The example made famous by GoogLeNet: 192 channels at 28×28 into 32
# channels with a 5×5 kernel, directly, or through a 1×1 layer down to 16 channels first.

# %%
def conv_mult_adds(c_in: int, c_out: int, k: int, h_out: int, w_out: int) -> int:
    """Multiply-adds of a k×k convolution: c_out*h_out*w_out outputs, c_in*k*k each."""
    return c_out * h_out * w_out * c_in * k * k


direct = nn.Conv2d(192, 32, kernel_size=5, padding=2)
bottleneck = nn.Sequential(nn.Conv2d(192, 16, kernel_size=1), nn.Conv2d(16, 32, kernel_size=5, padding=2))
shape_in = (1, 192, 28, 28)
cost = {name: (count_params(m), count_flops(m, shape_in) // 2) for name, m in
        [("direct 5×5", direct), ("1×1 to 16, then 5×5", bottleneck)]}
for name, (params, macs) in cost.items():
    print(f"{name:>20}: {params:>7,} parameters, {macs / 1e6:6.1f} M multiply-adds")

# %%
print(f"{cost['direct 5×5'][1] / cost['1×1 to 16, then 5×5'][1]:.1f}× fewer multiply-adds")

# %% [markdown]
# Same output shape, a tenth of the work. The 1×1 layer squeezes 192 channels into 16 cheap ones before the
# expensive 5×5 layer; whether 16 channels keep enough information is for training to decide (the GoogLeNet /
# Inception notebook).
#
# **Two counts of "multiply-adds".** The layer tables of later notebooks (`helpers.inspect.layer_table`, made by
# `torchinfo`) count one more multiply-add per bias and output value: their "mult_adds" is parameters × output
# positions. For the direct layer that adds $32 \cdot 28 \cdot 28$ bias additions to the count above:

# %%
table_mult_adds = layer_table(direct, shape_in)["mult_adds"].item()
bias_adds = table_mult_adds - cost["direct 5×5"][1]
print(f"count_flops / 2: {cost['direct 5×5'][1]:,};  layer table: {table_mult_adds:,}  "
      f"(+{bias_adds:,} bias additions, {bias_adds / cost['direct 5×5'][1]:.2%} more)")

# %% [markdown]
# A difference of 0.02%: either count supports the same comparisons, as long as one table does not mix them.
#
# ### Two convolutions in a row are one convolution
#
# Look again at `bottleneck`: a 1×1 convolution followed *directly* by a 5×5 one, nothing in between. Each is
# linear (plus a bias), so the pair is linear too: it is **one** 5×5 convolution from 192 to 32 channels, merely
# one whose weight is built from a 16-channel product. That is a *low-rank factorisation* of the layer, cheaper
# but able to compute less than a free 5×5 layer. GoogLeNet puts a ReLU after each 1×1 reduction, and only then is
# the pair more than one convolution.
#
# The merge, written for a 1×1 layer followed by a 3×3 one (192 → 16 → 32 channels): the merged kernel for output
# channel $o$ and input channel $c$ is $\sum_m W_{3\times3}[o, m] \, W_{1\times1}[m, c]$, and the first layer's
# bias passes through the second layer's weights.

# %%
torch.manual_seed(0)
reduce_1x1, conv_3x3 = nn.Conv2d(192, 16, kernel_size=1), nn.Conv2d(16, 32, kernel_size=3)
merged = nn.Conv2d(192, 32, kernel_size=3)
with torch.no_grad():
    merged.weight.copy_(torch.einsum("omhw,mc->ochw", conv_3x3.weight, reduce_1x1.weight[:, :, 0, 0]))
    merged.bias.copy_(conv_3x3.bias + conv_3x3.weight.sum(dim=(2, 3)) @ reduce_1x1.bias)
x_192 = torch.randn(1, 192, 12, 12)
torch.testing.assert_close(merged(x_192), conv_3x3(reduce_1x1(x_192)), atol=1e-5, rtol=1e-5)
# with a ReLU in between the pair is no longer one convolution
assert not torch.allclose(merged(x_192), conv_3x3(F.relu(reduce_1x1(x_192))), atol=1e-2)


def weight_rank(weight: torch.Tensor) -> int:
    """Rank of a conv weight read as a matrix: one row per (output channel, tap), one column per input channel."""
    return int(torch.linalg.matrix_rank(weight.detach().permute(0, 2, 3, 1).reshape(-1, weight.shape[1])))


ranks = {"merged 1×1 + 3×3": weight_rank(merged.weight), "free 3×3": weight_rank(nn.Conv2d(192, 32, 3).weight)}
print(f"merged weight {tuple(merged.weight.shape)}; rank of its (288, 192) matrix:", ranks)

# %% [markdown]
# The merged layer is an ordinary 3×3 convolution, but its weight reads only 16 combinations of the 192 input
# channels, where a free layer can read all 192.

# %%
# Checks for this section (you can skip this cell)
assert direct(torch.zeros(shape_in)).shape == bottleneck(torch.zeros(shape_in)).shape == (1, 32, 28, 28)
assert cost["direct 5×5"][1] == conv_mult_adds(192, 32, 5, 28, 28) == 120_422_400  # about 120 M
assert cost["1×1 to 16, then 5×5"][1] == (conv_mult_adds(192, 16, 1, 28, 28)
                                          + conv_mult_adds(16, 32, 5, 28, 28)) == 12_443_648  # about 12 M
assert count_flops(direct, shape_in) == 2 * 120_422_400  # the counter's unit: 2 FLOPs per multiply-add
assert cost["direct 5×5"][0] == 153_632 and cost["1×1 to 16, then 5×5"][0] == 15_920
assert table_mult_adds == cost["direct 5×5"][1] + 32 * 28 * 28 == count_params(direct) * 28 * 28
assert round(bias_adds / cost["direct 5×5"][1], 4) == 0.0002
assert ranks == {"merged 1×1 + 3×3": 16, "free 3×3": 192}


# %% [markdown]
# ## 6. Groups and depthwise convolution
#
# `groups=g` splits the input channels into $g$ groups and the output channels too; group $i$ of the output sees
# only group $i$ of the input. Each kernel then has $c_\text{in}/g$ channels instead of $c_\text{in}$, so the
# weights shrink by $g$. From scratch: split, convolve, concatenate.

# %%
def grouped_conv(x: torch.Tensor, weight: torch.Tensor, groups: int) -> torch.Tensor:
    """Grouped convolution: weight (c_out, c_in/groups, kh, kw); group i of the output sees group i of the input."""
    xs, ws = x.chunk(groups, dim=1), weight.chunk(groups, dim=0)
    return torch.cat([F.conv2d(xi, wi) for xi, wi in zip(xs, ws, strict=True)], dim=1)


for c_in, c_out, g in [(4, 6, 2), (6, 6, 3), (8, 16, 8), (6, 4, 1)]:
    xg, wg = torch.randn(2, c_in, 7, 7), torch.randn(c_out, c_in // g, 3, 3)
    torch.testing.assert_close(grouped_conv(xg, wg, g), F.conv2d(xg, wg, groups=g), atol=1e-5, rtol=1e-5)
print("grouped_conv == F.conv2d(groups=g) on 4 configurations")

# %%
params_by_groups = {g: count_params(nn.Conv2d(64, 128, 3, groups=g)) for g in (1, 2, 4, 64)}
print(params_by_groups)
assert params_by_groups == {g: 128 * (64 // g) * 3 * 3 + 128 for g in (1, 2, 4, 64)}

# %% [markdown]
# With $g = c_\text{in}$ each channel gets its own kernels and nothing is mixed: a **depthwise** convolution.
# Follow it with a 1×1 (pointwise) convolution to mix channels and you have the *depthwise separable* convolution
# of MobileNet, at a fraction of the parameters of a full 3×3 layer:

# %%
separable = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, groups=64), nn.Conv2d(64, 128, 1))
full = nn.Conv2d(64, 128, 3, padding=1)
print(f"depthwise separable: {count_params(separable):,} parameters; full 3×3: {count_params(full):,}")

# %% [markdown]
# It is not a cheap approximation of *any* full layer, though: it is a heavily constrained special case. Merge the
# two layers as in section 5 and the full-layer weight is $W[o, c] = P[o, c] \, D[c]$: every output channel sees
# input channel $c$ through **the same** 3×3 kernel $D[c]$, only scaled by $P[o, c]$, where a full layer has a free
# kernel for every pair $(o, c)$. In multiply-adds, per output position the depthwise part costs $c_\text{in} k^2$
# and the pointwise part $c_\text{in} c_\text{out}$, against $c_\text{in} c_\text{out} k^2$ for the full layer:
# a ratio of $1/c_\text{out} + 1/k^2$.

# %%
depthwise, pointwise = separable
x_64 = torch.randn(1, 64, 14, 14)
with torch.no_grad():
    merged_sep = torch.einsum("oc,chw->ochw", pointwise.weight[:, :, 0, 0], depthwise.weight[:, 0])  # P[o,c] D[c]
    merged_bias = pointwise.bias + pointwise.weight[:, :, 0, 0] @ depthwise.bias
    torch.testing.assert_close(F.conv2d(x_64, merged_sep, merged_bias, padding=1), separable(x_64),
                               atol=1e-5, rtol=1e-5)
# the 128 kernels that read input channel 0: all multiples of one 3×3 kernel (rank 1) vs free (rank 9)
kernel_ranks = (int(torch.linalg.matrix_rank(merged_sep[:, 0].reshape(128, 9))),
                int(torch.linalg.matrix_rank(full.weight.detach()[:, 0].reshape(128, 9))))
sep_mult_adds = conv_mult_adds(1, 64, 3, 14, 14) + conv_mult_adds(64, 128, 1, 14, 14)  # depthwise: 1 channel each
ratio = sep_mult_adds / conv_mult_adds(64, 128, 3, 14, 14)
print(f"kernels on input channel 0: rank {kernel_ranks[0]} (separable) vs {kernel_ranks[1]} (full); "
      f"cost ratio {ratio:.3f} = 1/128 + 1/9, {1 / ratio:.1f}× cheaper")

# %% [markdown]
# In MobileNet the pair is not even linear: batch normalisation and a ReLU sit between the depthwise and the
# pointwise convolution (and after it), so each half is a layer of its own.

# %% [markdown]
# **AlexNet's two-group split.** AlexNet (2012) did not fit on one 3 GB GPU, so its authors split most layers
# across two: each GPU held half of the kernels, and in layer 2 each saw only its own half of layer 1's 96
# channels. That is `groups=2`: the weight is (256, 48, 5, 5), half the parameters of a full layer.

# %%
alex2 = nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2)
print(tuple(alex2.weight.shape), f"{count_params(alex2):,} parameters vs {count_params(nn.Conv2d(96, 256, 5)):,}")

# %%
# Checks for this section (you can skip this cell)
assert separable(torch.zeros(1, 64, 14, 14)).shape == full(torch.zeros(1, 64, 14, 14)).shape
assert alex2.weight.shape == (256, 48, 5, 5)
assert params_by_groups[1] == 73_856 and params_by_groups[2] == 36_992
assert count_params(separable) == (64 * 9 + 64) + (128 * 64 + 128) == 8_960 and count_params(full) == 73_856
assert kernel_ranks == (1, 9)
assert abs(ratio - (1 / 128 + 1 / 9)) < 1e-12 and sep_mult_adds == count_flops(separable, (1, 64, 14, 14)) // 2
assert count_params(alex2) == 307_456 and count_params(nn.Conv2d(96, 256, 5)) == 614_656


# %% [markdown]
# ## 7. `nn.Conv2d` (module) or `F.conv2d` (function)?
#
# * `nn.Conv2d(c_in, c_out, k, ...)` is a **module**: it creates and owns its weight and bias as `nn.Parameter`s
#   (so the optimizer finds them), remembers stride and padding, and is what you put in a network.
# * `F.conv2d(x, weight, bias, stride, padding, ...)` is the **function** underneath: stateless, you pass the
#   weight. Use it for fixed kernels (a Sobel filter) or weights that come from elsewhere.
#
# The module's forward pass is the function called with the module's own tensors:

# %%
torch.manual_seed(0)
module = nn.Conv2d(3, 8, kernel_size=3, padding=1, stride=2)
print(module)
print([(name, tuple(p.shape)) for name, p in module.named_parameters()])
xm = torch.randn(2, 3, 16, 16)
torch.testing.assert_close(module(xm), F.conv2d(xm, module.weight, module.bias, stride=module.stride,
                                                padding=module.padding))

# %% [markdown]
# ### Explorer: an RGB channel mixer
#
# One output channel of a convolution on a colour photo. Pick a kernel for each of R, G and B; the bottom row
# shows the three per-channel maps and their sum, which is the output channel. The line above the picture
# compares that sum with a single `F.conv2d` on the 3-channel photo with the (1, 3, 3, 3) weight you built. The maps
# are computed by *your* `corr2d_multi_in` from section 1 (its loops take a second or so per move on this photo).
#
# Things to try: identity on R and negative identity on G (a red-minus-green detector: the orange suit lights
# up); Sobel x on all three (an edge detector that ignores colour); Sobel x on R only (edges of red things).

# %%
# NBVAL_IGNORE_OUTPUT
mixer = ChannelMixer(rgb, corr2d_multi_in, r="identity", g="negative identity", b="zero (ignore channel)")
mixer

# %%
state = mixer.compute(r="identity", g="negative identity", b="zero (ignore channel)")
torch.testing.assert_close(state.sum, (rgb[0] - rgb[1])[1:-1, 1:-1])  # no padding: 2 pixels smaller
mixer.static_figure(r="identity", g="negative identity", b="zero (ignore channel)");

# %%
# Checks for this section (you can skip this cell)
assert len(list(module.parameters())) == 2 and all(p.requires_grad for p in module.parameters())
assert state.weight.shape == (1, 3, 3, 3) and state.max_diff < 1e-5

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: "the weight is (in, out, $k_w$, $k_h$)."** A learner's note comments a kernel as
# `(in_channel, out_channel, k_w, k_h)`. PyTorch's `Conv2d` weight is **(out, in, $k_h$, $k_w$)**: one row of
# kernels per output channel. The order of the constructor's arguments, `Conv2d(in, out, ...)`, is the reverse
# of the weight's first two axes, which is where the confusion comes from.

# %%
w_right = nn.Conv2d(3, 8, kernel_size=(2, 5)).weight
print(tuple(w_right.shape))
assert w_right.shape == (8, 3, 2, 5)
try:
    F.conv2d(torch.zeros(1, 3, 10, 10), torch.zeros(3, 8, 5, 2))  # (in, out, kw, kh): wrong
except RuntimeError as err:
    weight_error = str(err)
print(weight_error)

# %% [markdown]
# **The one exception: `nn.ConvTranspose2d`.** Its weight is **(in, out / groups, $k_h$, $k_w$)**, in the
# constructor's order. A transposed convolution is the gradient of a convolution with respect to its input (the
# upsampling notebook shows this), so it reuses the weight of the convolution it transposes, which maps out → in:

# %%
w_tconv = nn.ConvTranspose2d(3, 8, kernel_size=(2, 5)).weight
w_tconv_groups = nn.ConvTranspose2d(4, 8, kernel_size=3, groups=2).weight
print(tuple(w_tconv.shape), tuple(w_tconv_groups.shape))
assert w_tconv.shape == (3, 8, 2, 5) and w_tconv_groups.shape == (4, 4, 3, 3)
# the same tensor serves a Conv2d(8 -> 3) and its transpose ConvTranspose2d(3 -> 8)
x8 = torch.randn(1, 8, 6, 6, requires_grad=True)
y3 = F.conv2d(x8, w_tconv.detach())
y3.backward(torch.ones_like(y3))
torch.testing.assert_close(x8.grad, F.conv_transpose2d(torch.ones_like(y3), w_tconv.detach()))

# %% [markdown]
# When in = out and the kernel is square, the wrong order does *not* raise: the shapes match and the layer
# quietly computes something else.

# %%
torch.manual_seed(0)
w44, x44 = torch.randn(4, 4, 3, 3), torch.randn(1, 4, 8, 8)
w_swapped = w44.permute(1, 0, 3, 2)  # read as (in, out, kw, kh)
assert w_swapped.shape == w44.shape
print(f"largest difference: {(F.conv2d(x44, w44) - F.conv2d(x44, w_swapped)).abs().max():.2f}")
assert not torch.allclose(F.conv2d(x44, w44), F.conv2d(x44, w_swapped))

# %% [markdown]
# **Pitfall 2: "the channels share one bias."** Another note reads `bias.shape = [3]` as "the channels share a
# bias". Precisely: one bias per **output** channel (section 2 checked `y = conv(x) + bias[o]`), shared by all
# input channels and all positions. There is no bias per input channel.
#
# **Pitfall 3: "a 1×1 convolution does nothing."** It does nothing *spatially*; it mixes channels and changes
# their number (section 3). On a single-channel input it is only a scale, which is where the impression comes
# from:

# %%
one_channel = torch.rand(1, 1, 5, 5)
assert torch.equal(F.conv2d(one_channel, torch.full((1, 1, 1, 1), 2.0)), 2 * one_channel)

# %% [markdown]
# **Pitfall 4: the input's channels must match `in_channels`.** A grey image is (1, H, W); a layer built for RGB
# refuses it. And groups must divide both channel counts:

# %%
try:
    nn.Conv2d(3, 8, 3)(torch.zeros(1, 1, 8, 8))
except RuntimeError as err:
    channel_error = str(err)
try:
    nn.Conv2d(6, 10, 3, groups=4)
except ValueError as err:
    groups_error = str(err)
print(channel_error)
print(groups_error)

# %%
# Checks for this section (you can skip this cell)
assert "expected input[1, 3, 10, 10] to have 8 channels, but got 3 channels instead" in weight_error
assert "to have 3 channels, but got 1 channels instead" in channel_error
assert groups_error == "in_channels must be divisible by groups"

# %% [markdown]
# ## Exercises
#
# Replace `None` with your answer and run the cell; the solutions are folded below each exercise.
#
# **Exercise 1.** How many parameters (weights and biases) does `nn.Conv2d(3, 64, kernel_size=7)` have? (ResNet's
# first layer has this weight shape, though it is built with `bias=False`.)

# %%
answer_1 = None  # an int
checks.check("exercise 1: parameters of Conv2d(3, 64, 7)", answer_1, count_params(nn.Conv2d(3, 64, 7)))

# %% jupyter={"source_hidden": true}
# Solution: 64 kernels of 3*7*7 weights, plus 64 biases.
answer_1 = 64 * 3 * 7 * 7 + 64
checks.check("exercise 1: parameters of Conv2d(3, 64, 7)", answer_1, count_params(nn.Conv2d(3, 64, 7)))

# %% [markdown]
# **Exercise 2.** How many multiply-adds does `nn.Conv2d(64, 128, 3, padding=1)` perform on one (64, 56, 56)
# input? (The checker uses `count_flops`, halved.)

# %%
ex2_expected = count_flops(nn.Conv2d(64, 128, 3, padding=1), (1, 64, 56, 56)) // 2
answer_2 = None  # an int
checks.check("exercise 2: multiply-adds", answer_2, ex2_expected)

# %% jupyter={"source_hidden": true}
# Solution: padding 1 keeps 56×56; 128*56*56 outputs, each 64*3*3 multiply-adds.
answer_2 = 128 * 56 * 56 * 64 * 3 * 3
checks.check("exercise 2: multiply-adds", answer_2, ex2_expected)

# %% [markdown]
# **Exercise 3.** Write `conv1x1(X, W)` for X of shape (c_in, h, w) and W of shape (c_out, c_in) with
# `torch.einsum` or `@`, no `F.conv2d`. The checker compares it with `F.conv2d` on several shapes.

# %%
def conv1x1_reference(X: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    return F.conv2d(X[None], W[:, :, None, None])[0]


conv1x1 = None
ex3_cases = [(torch.randn(3, 4, 4), torch.randn(2, 3)), (torch.randn(8, 5, 7), torch.randn(16, 8)),
             (torch.randn(1, 6, 6), torch.randn(4, 1))]
checks.check_function("exercise 3: conv1x1", conv1x1, conv1x1_reference, ex3_cases)

# %% jupyter={"source_hidden": true}
# Solution: the same matrix product at every pixel; einsum names the axes.
def conv1x1(X, W):
    return torch.einsum("oc,chw->ohw", W, X)


checks.check_function("exercise 3: conv1x1", conv1x1, conv1x1_reference, ex3_cases)

# %% [markdown]
# **Exercise 4 (predict, then measure).** `first` and `second` are single-channel 3×3 layers without biases,
# applied one after the other with nothing in between. (a) Predict: the pair equals one convolution; what is the
# side of its kernel? (b) Measure that kernel: run the pair on an input that is 0 everywhere except one pixel of
# value 1 (an *impulse*; pick its size so that every weight shows up), look at the output, and turn it into the
# kernel `K_pair` for which `F.conv2d(x, K_pair[None, None])` equals `second(first(x))` on every input `x`. Careful:
# `nn.Conv2d` cross-correlates (the cross-correlation notebook's section 3); what does it do to an impulse?

# %%
torch.manual_seed(1)
first, second = nn.Conv2d(1, 1, 3, bias=False), nn.Conv2d(1, 1, 3, bias=False)
answer_4a = None  # an int: the side of the merged kernel
K_pair = None  # a (side, side) tensor
x_test = torch.randn(1, 1, 12, 12)
ex4_side = x_test.shape[-1] - second(first(x_test)).shape[-1] + 1  # the one kernel that shrinks 12 as much
checks.check("exercise 4a: the side of the merged kernel", answer_4a, ex4_side)
checks.check("exercise 4b: the merged kernel", None if K_pair is None else F.conv2d(x_test, K_pair[None, None]),
             second(first(x_test)).detach(), atol=1e-5, hint="an impulse's response is the kernel, but turned "
             "round; the output shape must be 8×8 here, as for the pair")

# %% jupyter={"source_hidden": true}
# Solution: (a) each output of `second` sees 3×3 outputs of `first`, each of which saw 3×3 inputs: 5×5.
# (b) A 5×5 zero input with a 1 in the centre gives a 1×1 output, too small; a 9×9 one gives 5×5, which is the
# merged kernel rotated by 180° (cross-correlating an impulse reads the kernel backwards). Flip it back.
answer_4a = 5
impulse = torch.zeros(1, 1, 9, 9)
impulse[0, 0, 4, 4] = 1
with torch.no_grad():
    K_pair = second(first(impulse))[0, 0].flip(0, 1)
print("response to the impulse:", tuple(second(first(impulse)).shape[2:]), " merged kernel:", tuple(K_pair.shape))
checks.check("exercise 4a: the side of the merged kernel", answer_4a, ex4_side)
checks.check("exercise 4b: the merged kernel", None if K_pair is None else F.conv2d(x_test, K_pair[None, None]),
             second(first(x_test)).detach(), atol=1e-5, hint="an impulse's response is the kernel, but turned "
             "round; the output shape must be 8×8 here, as for the pair")

# %% [markdown]
# ## Summary
#
# * Several input channels: one kernel per channel, maps **added** (the 2-channel example gives
#   [[56, 72], [104, 120]]).
# * Several output channels: one such kernel stack per output, maps **stacked**. Weight (out, in, $k_h$, $k_w$),
#   bias (out,): `Conv2d(5, 10, 3)` turns (1, 5, 100, 100) into (1, 10, 98, 98) with weight (10, 5, 3, 3).
# * A 1×1 convolution is `nn.Linear` on each pixel's channel vector; every convolution is a matrix product on
#   unfolded windows. Conv and FC do the same arithmetic; the conv shares it across positions
#   (448 parameters instead of 44 million).
# * Cost = $c_\text{out} h' w' \cdot c_\text{in} k_h k_w$ multiply-adds (2 FLOPs each, biases not counted;
#   `torchinfo`'s tables add one per bias and output value): 192→32 channels with 5×5 at 28×28 costs 120 M, through
#   a 1×1 bottleneck to 16 channels 12 M.
# * Two convolutions with nothing between them are one convolution: the bottleneck without a ReLU is a rank-16
#   factorisation of a 5×5 layer. GoogLeNet puts a ReLU after the reduction.
# * Network in Network (Lin et al., 2013) introduced 1×1 convolutions (an MLP at every pixel) and global average
#   pooling in place of the fully connected classifier.
# * `groups=g` divides the weights by $g$; `groups=c_in` is depthwise; AlexNet used `groups=2` to split across two
#   GPUs. Depthwise + pointwise costs $1/c_\text{out} + 1/k^2$ of a full layer (0.119 for 64→128, 3×3) and computes
#   a constrained subset of what it can.
# * The weight-shape exception: `nn.ConvTranspose2d`'s weight is (in, out / groups, $k_h$, $k_w$), the weight of
#   the convolution it transposes.
# * `nn.Conv2d` owns its parameters; `F.conv2d` takes them as arguments; same arithmetic.
#
# Next: **04 · Pooling**.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | channel, input / output channel | 通道，输入 / 输出通道 |
# | RGB (red, green, blue) | 红绿蓝三原色 |
# | 1×1 convolution | 1×1 卷积 |
# | fully connected layer | 全连接层 |
# | channels-last | 通道在后（通道维放最后） |
# | im2col / unfold | 图像块展开 |
# | bottleneck | 瓶颈层 |
# | Network in Network (NiN), mlpconv | 网络中的网络，多层感知机卷积层 |
# | global average pooling | 全局平均汇聚 |
# | transposed convolution | 转置卷积 |
# | impulse (response) | 冲激（响应） |
# | low-rank factorisation | 低秩分解 |
# | parameter count | 参数量 |
# | multiply-add, FLOPs | 乘加运算，浮点运算次数 |
# | grouped convolution | 分组卷积 |
# | depthwise (separable) convolution | 深度（可分离）卷积 |
# | pointwise convolution | 逐点卷积 |
# | module vs function (`nn.Conv2d` / `F.conv2d`) | 模块与函数（类式接口 / 函数式接口） |
