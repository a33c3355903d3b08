# %% [markdown] minutes=2 core=true
# # 07 · GoogLeNet and the Inception block
#
# Let the network choose its kernel size, in one class:
#
# 1. four branches side by side, concatenated on the channel axis;
# 2. why every expensive branch starts with a 1×1 convolution;
# 3. the course's Inception network on MNIST (trained weights, loaded);
# 4. a harder, cluttered MNIST: which blocks help, and how sure we are;
# 5. the full GoogLeNet in one table.

# %% [markdown] slide="notes"
# **Say:** in the LeNet chapter (`notebooks/06_lenet.ipynb`) we chose every kernel size by hand. Today the network
# gets several sizes at once.
# **Ask:** in LeNet, why 5×5 and not 3×3 or 7×7? (Nobody can say for sure: it was a choice, and that is the point.)
# Run the whole deck once before class (Run ▸ Run All Cells). It trains nothing: the sections on MNIST load what
# the chapter trained, and say so.

# %% slide="skip"
import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from helpers import data, plotting, shipped, training
from helpers.inspect import count_flops, count_params, layer_table, trace_shapes
from helpers.widgets.inception import InceptionCostExplorer

torch.manual_seed(0)
pd.set_option("display.width", 140)

# %% [markdown] minutes=3 core=true
# ## Which kernel size?
#
# * Small kernels see fine detail; large kernels see larger shapes. Which one does a layer need?
# * GoogLeNet (Szegedy et al., 2014) stops choosing: an **Inception block** runs 1×1, 3×3, 5×5 and pooling *in
#   parallel* on the same input and stacks their outputs as channels.
# * Training decides, by the weights it gives each branch, how much each one counts.
# * Stacking needs equal height and width: every branch pads ($k\times k$ kernel, padding $(k-1)/2$, stride 1).

# %% [markdown] slide="notes"
# **Say:** the block lists the choices we could not make and keeps all of them.
# **Ask:** after training, does the network keep only the best branch? Common wrong answer (it is in the learners'
# notes: "训练结果自然可以看出哪种超参数更优"): "training picks the best kernel size and the others die out". No:
# all four branches stay, and the next layer mixes all of them. Exercise 4 knocks out one branch at a time and
# measures what that costs.

# %% [markdown] minutes=7 core=true
# ## The course's Inception block
#
# | branch | layers | output channels |
# |---|---|---|
# | 1 | 1×1 conv | 16 |
# | 2 | 1×1 conv (16) → 5×5 conv, padding 2 | 24 |
# | 3 | 1×1 conv (16) → 3×3 conv, padding 1 → 3×3 conv, padding 1 | 24 |
# | 4 | 3×3 average pooling, stride 1, padding 1 → 1×1 conv | 24 |
#
# The four outputs are concatenated on **dim 1**, the channel axis of (batch, channels, height, width).

# %% [markdown] slide="notes"
# **Say:** this is the block of the 刘二 lectures, the one in the learners' notes. Its layout is Inception-v3's
# `InceptionA`, narrower, and without the batch normalization and ReLU that follow every convolution there.
# Two 3×3 convolutions in a row see a 5×5 window (the receptive field of the cross-correlation chapter,
# `notebooks/01_cross_correlation.ipynb`).

# %% slide="sub" include="class InceptionA(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** `__init__` builds seven convolutions; `branches` runs the four paths on the same `x`; `forward`
# concatenates on dim 1. `unit` lets us swap each plain convolution for conv + BN + ReLU later (`conv_bn_relu`).
# **Ask:** which line decides the number of output channels? (The `out_channels` of the last layer of each branch.)

# %% [markdown]
# ### Predict: `InceptionA(in_channels=10)` on a batch of shape (2, 10, 12, 12)
#
# The shape of each branch's output, and of the concatenation?

# %% [markdown] slide="notes"
# **Answer:** each branch keeps 12×12 (padding); the branches give 16, 24, 24 and 24 channels; concatenated
# (2, 88, 12, 12), as the cell prints. Common wrong answers: (2, 10, 12, 12) ("like pooling, the channels stay"),
# 12 → 8 in the 5×5 branch (forgetting padding 2), and (8, 24, 12, 12) or an error from concatenating on dim 0.
# **Ask:** what changes with 20 input channels? (Nothing in the output: still 88. Only the first convolution of
# each branch gets wider.)

# %% include="block = InceptionA(in_channels=10)"

# %% [markdown] slide="notes"
# **Say:** 16 + 24 + 24 + 24 = 88. The block's output width is the sum of its branches' widths, whatever comes in.

# %% [markdown] minutes=3
# ## Pitfalls: padding, and which dim to concatenate on
#
# Drop the padding of the 5×5 convolution, and the branches no longer line up:

# %% [markdown] slide="notes"
# **Say:** the learners' notes say it too: the branches must agree on W×H, so padding and stride are fixed for
# that. PyTorch's error names dimension 1 as the only one allowed to differ.

# %% include="unpadded = InceptionA(10)"

# %% [markdown] slide="notes"
# **Say:** 12 − 5 + 1 = 8: the 5×5 branch shrank, the others did not.

# %% include="equal = [torch.zeros(2, 24, 12, 12) for _ in range(3)]"

# %% [markdown] slide="notes"
# **Say:** with equal channel counts, `dim=0` does not fail: it quietly makes a batch of 6 images. Dim 0 is the
# batch; dim 1 is the channels. **Ask:** what would the next layer, `Conv2d(72, ...)`, say to (6, 24, 12, 12)?
# (It expects 72 input channels and stops with a shape error, far from the real mistake.)

# %% [markdown] minutes=4
# ## The course's block has no non-linearity
#
# Convolutions, an average pooling and a concatenation: all linear. "1×1 → 5×5" with nothing between them is one
# 5×5 convolution, with weight $W[o, i] = \sum_m W_2[o, m]\, W_1[m, i]$.

# %% [markdown] slide="notes"
# **Say:** compose the two layers of the 5×5 branch of a block with 20 input channels into one kernel and compare
# the outputs (away from a 2-pixel border, where the padding differs). The rank printed is the width of the 1×1
# layer: a cheaper, low-rank 5×5 convolution, no more expressive than one 5×5 layer. The chapter composes the
# whole block into one `Conv2d(20, 88, 5)`. Keep this in mind for the cluttered-MNIST comparison.

# %% include="w_5x5 = torch.einsum("

# %% [markdown] slide="notes"
# **Ask:** what would make the pair more than one convolution? (A non-linearity between them: a ReLU. Inception-v3
# puts BN and a ReLU after every convolution.)

# %% [markdown] minutes=8 core=true
# ## Why a 1×1 convolution first?
#
# A $k\times k$ convolution from $c_i$ to $c_o$ channels: $c_o(c_i k^2 + 1)$ parameters and $c_o c_i k^2 h w$
# multiply-adds on an $h \times w$ output. The cost grows with $c_i \cdot c_o$: shrink $c_i$ first, cheaply.
#
# GoogLeNet's first block, `inception3a`: 192 channels at 28×28 in; branches 64, (96 → 128), (16 → 32), 32.

# %% [markdown] slide="notes"
# **Say:** the 1×1 convolution is a fully connected layer applied at every pixel (the channels chapter,
# `notebooks/03_channels_and_1x1_conv.ipynb`): it mixes the 192
# channels into 16 or 96 learned combinations, and only then does the expensive kernel run.
# Common wrong answers from the notes: "a 1×1 convolution does nothing, it sees one pixel" (it sees every channel
# of that pixel), and "it is only there to save computation" (it also learns which channel mixtures to keep).

# %% [markdown]
# ### Predict: how many channels does `inception3a` output?
#
# Its branches: 64 | 1×1 96 → 3×3 128 | 1×1 16 → 5×5 32 | pool → 1×1 32, on 192 input channels.

# %% [markdown] slide="notes"
# **Answer:** 64 + 128 + 32 + 32 = 256, with or without the 1×1 reductions (the `output` column). Common wrong
# answers: 192 (the input's channels), and 368 (adding the reduce widths 96 and 16 as well: they are inside the
# branches and never reach the output). Then read the counts: the next sub-slide prints by what factor the
# reductions cut parameters and FLOPs.

# %% include="def three_a(reduce: bool)"

# %% [markdown] slide="notes"
# **Say:** `three_a` builds the four branches with or without the 1×1 layers; `Branches` runs them on one input and
# concatenates. The pooling is left out: it has no parameters and no multiply-adds.

# %% slide="sub"
print(f"the 1x1 reductions cut parameters by {cost[False]['params'] / cost[True]['params']:.1f}x "
      f"and FLOPs by {cost[False]['FLOPs'] / cost[True]['FLOPs']:.1f}x")

# %%
# Checks for this section (you can skip this cell)
assert round(cost[False]["FLOPs"] / 1e9, 3) == 0.617 and round(cost[True]["FLOPs"] / 1e9, 3) == 0.256

# %% [markdown] slide="notes"
# **Say:** the same 256 output channels either way, for less than half the parameters and FLOPs. PyTorch counted
# here (`count_params`, and `count_flops`, which uses `torch.utils.flop_counter`).

# %% include="def conv_cost("

# %% [markdown] slide="notes"
# **Say:** the formula from the slide, branch by branch, with no network built: fast enough to drive the explorer.
# The loop at the end checks it against PyTorch's counts on the previous slide.

# %% [markdown]
# ### Predict: the 5×5 branch of `inception3a` (192 → 32 channels at 28×28)
#
# How many parameters without the 1×1, and with a 1×1 to 16 channels in front? How many does the 1×1 save?

# %% [markdown] slide="notes"
# **Answer:** without: 32 × (192 × 25 + 1) = 153,632; with: 16 × (192 + 1) + 32 × (16 × 25 + 1) = 3,088 + 12,832
# = 15,920, so 137,712 saved, 9.7× fewer, as the cell prints; multiply-adds fall from 120.4 M to 12.4 M (the
# channels chapter, `notebooks/03_channels_and_1x1_conv.ipynb`, measured the same). Common wrong answers:
# forgetting the 1×1's own cost (192 × 16), or the biases; "the 1×1 costs more because it adds a layer".

# %% slide="sub"
five_params = {r: inception_cost(192, 28, 64, (96, 128), (16, 32), 32, reduce=r)["5x5"][0] for r in (False, True)}
print(f"5x5 branch parameters: {five_params[False]:,} without the 1x1, {five_params[True]:,} with it: "
      f"{five_params[False] - five_params[True]:,} saved ({five_params[False] / five_params[True]:.1f}x fewer)")

# %% include="five = {r: inception_cost("

# %% [markdown] slide="notes"
# **Say:** the saving is largest where the reduction is strongest: 192 → 16 channels in front of the 5×5.

# %% slide="sub" include="explorer = InceptionCostExplorer(inception_cost)"

# %% [markdown] slide="notes"
# **Do:** start at `inception3a`'s widths. Move "3x3 reduce" up to 192 (as wide as the input): the reduction now
# costs more than it saves in that branch. Then "H = W" from 28 to 56: FLOPs grow four times, parameters not at
# all. **Ask:** why do parameters not depend on the image size? (Weight sharing: the same kernel at every
# position, as in the cross-correlation chapter.)
# Do not set the widths of `inception4a` here before the exercises: that is exercise 3.

# %% [markdown] minutes=7 core=true
# ## The course's Inception network on MNIST
#
# `Conv(1,10,5) → pool → ReLU → InceptionA → Conv(88,20,5) → pool → ReLU → InceptionA → flatten → Linear(?, 10)`

# %% [markdown] slide="notes"
# **Say:** two Inception blocks, each after a 5×5 convolution and a 2×2 max pooling. The class `InceptionNet` is in
# the chapter, section 4; it computes the input size of `fc` from the image side.
# **Ask:** where would you find that number without computing it? (A layer table, next.)

# %% slide="skip" include="class InceptionNet(nn.Module):"

# %% [markdown]
# ### Predict: the input size of the final `Linear` (a 28×28 digit)

# %% [markdown] slide="notes"
# **Answer:** 1408 = 88 × 4 × 4: 28 → 24 (5×5, no padding) → 12 (pool) → the block keeps 12×12 with 88 channels →
# 8 (5×5) → 4 (pool) → the block keeps 4×4 with 88 channels. Common wrong answers: 320 (LeNet's 20 × 4 × 4: the
# second block turns 20 channels into 88), and 88 × 12 × 12 (forgetting the second conv and pool). The learners'
# notes leave the same question open for the ResNet net ("我没有计算出为什么线性层的输入维度是512"): a layer table
# answers it.

# %% slide="sub"
table

# %% [markdown] slide="notes"
# **Say:** one row per layer with its input and output shape. `pool` appears twice: one `MaxPool2d` module (no
# weights) used in two places. Most parameters sit in `conv2` (88 channels in) and the two blocks.

# %% slide="sub"
run = shipped.fast_path("07_inception_mnist", made_by="notebook 07, section 4 (2 epochs on 50,000 images)",
                        full_run="notebooks/07_googlenet_inception.ipynb, section 4, 'Training' (2 epochs; its "
                                 "progress bar shows the time per epoch on your machine)")
trained = run["history"]
print(f"that run: {trained.epoch[-1]} epochs, {trained.epoch_step[-1]} steps, {trained.examples:,} images seen")
model = InceptionNet()
model.load_state_dict(run["model"])
x_val, y_val = data.load_mnist(split="val")
val_acc = training.evaluate_accuracy(model, data.TensorLoader(x_val, y_val, batch_size=1000))
print(f"validation accuracy of the loaded weights, measured now on 10,000 images: {val_acc:.3f} "
      f"(the notebook recorded {run['metrics']['val_acc']:.3f})")

# %% [markdown] slide="notes"
# **Say:** nothing trains in class: these are the weights the chapter trained (Adam with a one-cycle learning-rate
# schedule), measured again here on the 10,000 validation images. The first printed line names the chapter cell
# with the full run. The chapter measures the test set once, at the end; the deck
# does not. **Ask:** why not tune the number of epochs on the test set? (Then it is no longer a test.)

# %% slide="sub"
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 2.8))
plotting.plot_history({"InceptionNet": trained}, "step_loss", ax=ax_loss)
plotting.plot_history({"InceptionNet": trained}, "val_acc", ax=ax_acc)
ax_loss.set_title("training loss per step (shipped)", fontsize=10)
ax_acc.set_title("validation accuracy per epoch (shipped)", fontsize=10)
ax_acc.set_xticks(trained.epoch)
fig.tight_layout()

# %% [markdown] slide="notes"
# **Say:** the curves the notebook recorded while it trained, loaded from the same file. The loss falls fastest in
# the first hundred steps; the schedule then anneals the rate towards zero, which lets a short run end well.

# %% [markdown] minutes=3
# ## Inside the first Inception block
#
# What does each branch of the trained `incep1` make of one validation digit? Next: 8 channels of each branch.

# %% [markdown] slide="notes"
# **Ask:** before the next sub-slide: which branch's maps will still look most like the digit? (The 1×1 branch.)

# %% slide="sub" include="branch_maps = model.incep1.branches(features)"

# %% [markdown] slide="notes"
# **Say:** the 1×1 branch can only re-mix the 10 input channels pixel by pixel, so its maps still look like the
# digit; the 5×5 and 3×3 branches respond to strokes of particular directions; the pooling branch sees a blurred
# input. **Ask:** does the network use only one branch? (All four carry something; exercise 4 measures it.)

# %% [markdown] minutes=7 core=true
# ## A harder task: linear blocks, or conv + BN + ReLU blocks?
#
# On MNIST the course's linear blocks already reach 0.989 (validation, above). Cluttered MNIST (as in Jaderberg
# et al., 2015): each digit at a random place on a 40×40 canvas, with 4 random 8×8 crops of *other* digits.

# %% [markdown] slide="notes"
# **Say:** built offline from MNIST with `data.cluttered_mnist`: training canvases from the training split,
# validation and test canvases from theirs, each with its own seed. **Ask:** which label would you give each?

# %% include="CANVAS = 40"

# %% slide="sub" include="class PlainNet(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** three networks: the course's network without its Inception blocks, and `InceptionNet` with the course's
# linear blocks or with conv + BN + ReLU blocks. The chapter trains each for one epoch on the 3,000 training
# canvases with Adam, at the best of three learning rates (seed 0, judged on validation), then with seeds 0, 1, 2.

# %% [markdown]
# ### Predict: which network wins on the cluttered canvases, and by how much?
#
# No Inception blocks (15k parameters), linear blocks (126k), or conv + BN + ReLU blocks (127k)?

# %% [markdown] slide="notes"
# **Answer:** conv + BN + ReLU blocks, on every seed: its worst seed (0.528 on validation) is 0.082 above the best
# seed of both others (0.446), and on the test canvases its worst is 0.104 above their best. The linear blocks,
# with more than eight times the parameters, do *not* beat the plain network: the plain network's best seed is
# 0.117 above their best. Common wrong answer: "the linear blocks, they have the most parameters" (a linear block
# is one 5×5 convolution, as shown earlier).

# %% slide="sub"
seeds = shipped.fast_path("07_cluttered_seeds", made_by="notebook 07, section 4 (15 runs of one epoch each)",
                          full_run="notebooks/07_googlenet_inception.ipynb, section 4, 'A harder task' (a sweep of "
                                   "3 learning rates per network, then seeds 1 and 2 at the best one)")
val, test = seeds["val_acc"], seeds["test_acc"]
plain, linear, bn = (val[name] for name in ("no Inception blocks", "linear blocks", "conv+BN+ReLU blocks"))
print(f"worst conv+BN+ReLU seed minus best seed of the others: {min(bn) - max(plain + linear):+.3f} (validation), "
      f"{min(test['conv+BN+ReLU blocks']) - max(test['no Inception blocks'] + test['linear blocks']):+.3f} (test)")
print(f"best seed without blocks minus best seed with linear blocks: {max(plain) - max(linear):+.3f} (validation)")
rows = {}
for name, accs in val.items():
    rows[name] = {**{f"seed {s}": a for s, a in enumerate(accs)}, "mean": sum(accs) / len(accs),
                  "range": max(accs) - min(accs), "lr": seeds["best_lr"][name],
                  "test mean": sum(test[name]) / len(test[name])}
pd.DataFrame(rows).T.round(3)

# %% [markdown] slide="notes"
# **Say:** validation accuracy per seed, from the shipped file (the chapter's run, not trained here). Read the
# ranges: the plain network's seeds spread widely, so one seed could tell any story. Seed 0's validation number is
# optimistic: it is the run that chose each network's rate (the best of three). Seeds 1 and 2 ran at that rate
# afterwards, and the test canvases were used once per model, after all choices; the gaps hold on them too.

# %% [markdown]
# ### What this shows, and what it cannot separate
#
# * At this small budget (one epoch on 3,000 canvases) and these widths, each network at its own learning rate, three
#   seeds: every conv + BN + ReLU seed beats every seed of both others, on validation and on the test canvases.
# * Seed 0's validation accuracy chose each rate, so it is optimistic; seeds 1, 2 and the test canvases are not.
# * The linear blocks do not beat the network without them: the Inception layout alone did not help here.
# * What the winning blocks add is BN *and* a ReLU after every convolution: this does not say which one helps (BN
#   is not a non-linearity; it also changes the optimisation). On plain MNIST the linear network already reaches
#   0.989 on validation, so that task could not show a difference either.

# %% [markdown] slide="notes"
# **Say:** state the claim no stronger than this. Three seeds, one short epoch: a longer run could narrow or widen
# the gaps. **Ask:** what run would separate ReLU from BN? (Add a fourth network with conv + ReLU blocks and no BN,
# at its own learning rate, with the same seeds.)

# %% [markdown] minutes=4
# ## The full GoogLeNet
#
# Five stages, nine Inception blocks (general widths, ReLU after every convolution), global average pooling.
# *Dive into Deep Learning*'s version: 96×96 grey images, 10 classes.

# %% [markdown] slide="notes"
# **Say:** read the `output` column: b1 quarters height and width (96 → 24: a stride-2 convolution, then a
# stride-2 max pool), b2, b3 and b4 each halve them (24 → 12 → 6 → 3) while the channels grow; the blocks keep the
# size, the max pools between them shrink it. Global average pooling leaves one number per channel, so the head is
# a small `Linear(1024, 10)`. torchvision's ImageNet version has 3 input channels, 1000 classes, a 3×3 kernel in
# its "5×5" branch (a slip kept for its pretrained weights) and conv + BN units: the chapter accounts for every
# parameter of the difference.

# %% slide="skip" include="def googlenet("

# %%
tv_params = count_params(torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False))
print(f"d2l GoogLeNet: {count_params(d2l_net):,} parameters, {count_flops(d2l_net, (1, 1, 96, 96)) / 1e9:.2f} "
      f"GFLOPs at 96x96; torchvision's (ImageNet): {tv_params:,}")
pd.DataFrame({"output": [s for _, s in stages], "params": [f"{p:,}" for p in stage_params]},
             index=["b1", "b2", "b3", "b4", "b5", "head (Linear)"])

# %% [markdown] minutes=24
# ## In class: exercises
#
# In the student edition (`student/07_googlenet_inception.ipynb`), in pairs:
#
# 1. the output channels of d2l's second Inception block of stage b3;
# 2. kernel weights of one 5×5 against two 3×3 convolutions in `InceptionA`, and which you would pick with a ReLU;
# 3. the parameters the 1×1 reductions save in `inception4a`;
# 4. run it, then read it: knock out one branch of the trained `incep1` at a time. Does it depend on one branch?
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 4 minutes each for 1–3, 10 for 4. Exercise 4 needs the trained network: the student edition trains
# it in section 4 (run the notebook from the top first; the progress bar shows how long an epoch takes there).
# Before exercise 4, ask the class to predict: will one branch turn out to carry the network? Remind them that one
# image of 1,000 is 0.1 point. The answers are in the answer key (TEACHING.md).

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * An Inception block runs 1×1, 3×3, 5×5 (or two 3×3) and pooling branches side by side and concatenates them on
#   dim 1; padding keeps every branch the same size. Output channels = the sum of the branches' widths.
# * A 1×1 convolution first shrinks the channels, so the big kernels are cheap.
# * Read the flattened size off a layer table instead of guessing it.
# * Without non-linearities, a block is one convolution; on cluttered MNIST only the conv + BN + ReLU blocks helped
#   (one short epoch, three seeds).
#
# The chapter: `notebooks/07_googlenet_inception.ipynb`. Next: batch normalization, the layer inside those blocks.

# %% [markdown] slide="notes"
# **Say:** the chapter's exercises: a block's output channels, one 5×5 against two 3×3, the parameters saved in
# `inception4a`, and knocking out a branch. Hand out the student edition (`student/`, see TEACHING.md).
