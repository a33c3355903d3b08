# %% [markdown] minutes=2 core=true
# # 09 · ResNet: deeper networks through skip connections
#
# How a skip connection lets a deep network train, in one class:
#
# 1. what goes wrong in a deep plain CNN, measured, and the *degradation* ResNet was invented for;
# 2. the residual block: the course's version, and d2l's with batch normalization and a 1×1 projection;
# 3. the course's residual network on MNIST, loaded from the chapter's own run;
# 4. ResNet-18 stage by stage, and the bottleneck block of the deeper ResNets.

# %% [markdown] slide="notes"
# **Say:** the batch-norm chapter (`notebooks/08_batch_norm.ipynb`) made deep networks easier to train; today a
# second idea, adding the input back. Most large networks since 2016 (ResNets, Transformers) have these skip
# connections.
# **Ask:** if you stack more layers, can the training loss get worse? (Most say no: "the extra layers can learn to
# do nothing". Keep the answer open; the slide "With He initialisation and BN, does depth still hurt?" tests it.)
# Run the whole deck once before class (Run ▸ Run All Cells; TEACHING.md gives its measured time). Training runs are not
# repeated in class: the deck loads what the chapter trained and says so in every such cell.

# %% slide="skip"
import math

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from helpers import data, experiments, plotting, shipped, training
from helpers.inspect import count_flops, count_params, layer_table, trace_shapes
from helpers.widgets.resnet import GradientFlowExplorer

torch.set_num_threads(1)  # as in the chapter, so that the printed gradient norms are the chapter's
torch.manual_seed(0)
pd.set_option("display.width", 140)

# %% [markdown] minutes=5 core=true
# ## The problem: depth without skips
#
# A block of two 3×3 convolutions, in two versions:
#
# * **plain**: $\text{ReLU}(F(x))$, with $F(x) = \text{conv}_2(\text{ReLU}(\text{conv}_1(x)))$;
# * **residual**: $\text{ReLU}(x + F(x))$: the input skips the two convolutions and is added back.
#
# Stack 10 blocks behind a small stem, PyTorch's default initialisation, no BN. Run one batch of 64 digits forward
# and backward, and measure $\lVert \partial \text{loss} / \partial W \rVert$ for each convolution.

# %% [markdown] slide="notes"
# **Say:** the code (`Block`, `deep_cnn`, `grad_norms`) is the chapter's, in a folded cell; the next sub-slide
# asks what it measures. Draw the two blocks on the board: the only difference is the `x +`.

# %% [markdown]
# ### Predict: the first layer's gradient against the last layer's
#
# Is the first convolution's gradient norm about the same as the last one's, ten times smaller, or smaller still?
# Without skips, and with them?

# %% [markdown] slide="notes"
# **Answer:** without skips smaller still, by many orders of magnitude: 4.7e-12 for the first convolution against
# 9.4e-03 for the last; with skips about the same, 8.9e-02 against 1.8e-01 (the printed lines). Common wrong
# answers: "about the same" for both (depth alone changes nothing), and "ten times smaller" (one block's factor,
# not ten of them multiplied).

# %% slide="skip" include="class Block(nn.Module):"

# %%
for name, g in norms.items():
    print(f"{name:>8}: {len(g)} conv layers; gradient norm of the first {g[0]:.1e}, middle {g[10]:.1e}, "
          f"last {g[-1]:.1e}")

# %% [markdown] slide="notes"
# **Say:** read the lines from right to left, the way backpropagation goes. Common wrong answer, from the learners'
# notes: "vanishing gradients are why ResNet was invented". Here they are the problem, but He et al. trained their
# plain networks with BN, where gradients do not vanish, and still had a problem with depth (three slides on).

# %% slide="sub" include="explorer = GradientFlowExplorer("

# %% [markdown] slide="notes"
# **Do:** start at 10 blocks (the numbers above), then drag to 1, 5 and 20. The plain line tilts more with every
# block; the residual line stays flat. The title says how many times more gradient the first layer gets with
# skips. **Ask:** why does the plain line fall from right to left? (Backpropagation multiplies by one block's
# Jacobian after another; with this initialisation each one shrinks the gradient.)

# %% slide="skip" include="state = explorer.compute(blocks=10)"

# %% [markdown] minutes=4 core=true
# ## Why the skip carries the gradient
#
# For $y = \text{ReLU}(x + F(x))$ the chain rule gives
#
# $$\frac{\partial y}{\partial x} = D\,\Bigl(I + \frac{\partial F}{\partial x}\Bigr), \qquad
#   D = \operatorname{diag}\bigl(\mathbb{1}[x + F(x) > 0]\bigr).$$
#
# Even when $\partial F / \partial x$ is tiny, the identity $I$ is left, but only where the ReLU after the sum is
# active.

# %% [markdown] slide="notes"
# **Say:** without the skip only $D\,\partial F/\partial x$ is left, ten times over. With it, the identity term
# survives every block. Write the two products on the board for three blocks.

# %% [markdown]
# ### Predict: a block whose $F$ is exactly zero
#
# Set `conv2`'s weights and bias to 0, so $F(x) = 0$ and $y = \text{ReLU}(x)$. What is the gradient of
# `y.sum()` with respect to $x$: 1 everywhere, or something else? And without the last ReLU?

# %% [markdown] slide="notes"
# **Answer:** 1 only where $x > 0$ (44% of the positions in this random $x$), 0 elsewhere; without the ReLU after
# the sum, 1 everywhere, as the cell prints. Common wrong answer, straight from the learners' notes ("adding the
# input turns a gradient near 0 into one near 1"): "1 everywhere, the shortcut always passes the gradient". The
# ReLU after the addition blocks it wherever the sum is negative. The pre-activation block (last slide before the
# exercises) removes that ReLU.

# %% include="block = Block(4, skip=True)"

# %% [markdown] slide="notes"
# **Say:** two `assert_close` lines check both claims on every position; the printed line only summarises them.
# With a random $x$ about half the positions are negative, so about half the gradient is stopped.

# %% [markdown] minutes=3
# ## Does it matter for training?
#
# PyTorch's default initialisation shrinks the signal in every conv + ReLU. He initialisation (variance
# $2 / \text{fan\_in}$, made for ReLU) keeps it, and the plain network's gradients stay healthy:

# %% [markdown] slide="notes"
# **Say:** this separates two problems: gradients that fade because of the initialisation, and whatever else depth
# does to training. He initialisation removes the first; whether depth still hurts is the next slide's question.

# %% include="def he_init(net: nn.Module)"

# %% [markdown] slide="notes"
# **Say:** the first and last gradient norms are now close (8.9e-03 and 2.9e-02), no longer many orders of
# magnitude apart. **Ask:** so do we still need skips? (Hold the question for the curves.)

# %% slide="skip" include="def final_loss("

# %% slide="sub"
deep_run = shipped.fast_path("09_deep_runs", made_by="notebooks/09_resnet.ipynb, section 1 (3 networks of 10 "
                             "blocks, 300 steps of Adam, one seed)", full_run="the same section, 'Does it matter "
                             "for training?' (3 runs side by side)")
deep_runs = deep_run["histories"]
print("training loss, the mean of the 5 minibatch losses logged at steps", deep_runs["plain"].step[-5:])
print({name: round(final_loss(h), 1) for name, h in deep_runs.items()}, f"(chance: ln 10 = {math.log(10):.2f})")
plotting.plot_history(deep_runs, metric="step_loss");

# %% [markdown] slide="notes"
# **Say:** these curves are the chapter's run, loaded (the first line says so). The plain network with the default
# initialisation did not leave chance (2.3) within these 300 steps (one seed, one rate); the same plain network
# with He initialisation learned; the residual network learned with the default initialisation too. One seed and
# one shared learning rate: this shows the mechanism, it does not rank the three networks. Early in training.

# %% [markdown] minutes=5 core=true
# ## With He initialisation and BN, does depth still hurt?
#
# Now give the plain networks everything that fixes the fading signal: He initialisation **and** BN after every
# convolution. Plain and residual, 2 and 8 blocks, SGD with momentum, each network at the best of four learning
# rates.

# %% [markdown] slide="notes"
# **Say:** He initialisation alone kept the plain network's gradients healthy (the slide before); BN comes on
# top. We compare *training* loss, so overfitting cannot explain a difference. Our version is tiny and short, so
# we make a claim only about this budget.

# %% [markdown]
# ### Predict: after 100 steps, which trains better?
#
# Plain with 8 blocks or residual with 8 blocks: which ends with the lower training loss? And plain with 8 blocks
# or plain with 2?

# %% [markdown] slide="notes"
# **Answer:** residual-8 ends lower, 0.58 (0.57–0.60) against plain-8's 1.18 (1.05–1.36), on every seed; and
# plain-8 ends above plain-2 on average, 1.18 against 0.61 (0.53–0.69): the deeper plain network trains worse.
# Read the numbers off the table (mean, then the range over 3 seeds; each run's loss is the mean of 5 minibatch
# losses logged over its last 50 steps). Common wrong answers: "the deeper network, it has more parameters" and
# "the same: BN already fixed the gradients". Say "at this budget" / "early in training": 100 steps show it here,
# He et al. showed it after full training.

# %%
deg_run = shipped.fast_path("09_degradation", made_by="notebooks/09_resnet.ipynb, section 1 (4 networks, each at 4 "
                            "learning rates, then 2 more seeds at its best)", full_run="the same section, "
                            "'Degradation' (24 runs of 100 steps, side by side)")
deg, deg_lr = deg_run["histories"], deg_run["lr"]
nets = list(deg)  # the four networks, in the chapter's order (the chapter's plot below colours them by it)
deg_loss = {name: experiments.spread(final_loss(h) for h in hs) for name, hs in deg.items()}
print("training loss: the mean of the 5 minibatch losses logged at steps", deg[nets[0]][0].step[-5:],
      "of each run; then the mean (lowest–highest) over the seeds")
pd.DataFrame({"learning rate": deg_lr, "seeds": {name: len(hs) for name, hs in deg.items()},
              "steps": {name: hs[0].step[-1] for name, hs in deg.items()},
              "training loss": {name: s.format(2) for name, s in deg_loss.items()},
              "validation accuracy": {name: experiments.spread(h.val_acc[-1] for h in hs).format(2)
                                      for name, hs in deg.items()}})

# %% [markdown] slide="notes"
# **Say:** He et al. (2016) called this *degradation*: with BN in place, their deeper plain network reached a
# higher *training* error than a shallower one. Each network here got the learning rate, of the four the chapter
# tried, with the lowest training loss (the table shows it), so each is trained as well as this budget allows. The
# validation accuracy says less: plain-8 has the lowest mean, and the other three's ranges overlap widely.
# **Ask:** why compare *training* loss, not validation accuracy? (Degradation is a claim about optimisation: the
# deep plain network cannot even fit the data it trains on.)

# %% slide="sub" include='title="He init + BN, each at its best rate, 3 seeds"'

# %% [markdown] slide="notes"
# **Say:** dashed lines are plain, solid residual; the chapter's own plot. Why plain depth hurts is still studied.
# He et al.'s explanation: a residual block only has to learn a correction to its input, and "no correction" is
# easy to represent (a block with $F = 0$ passes its input on, up to the last ReLU); a plain block has to learn
# the identity itself.

# %% [markdown] minutes=3 core=true
# ## The residual block
#
# The course's block: both convolutions keep the channels and (with padding 1) the size, so $x$ and $F(x)$ can be
# added element by element. It is section 1's `Block(skip=True)`.

# %% [markdown] slide="notes"
# **Say:** this is the block from the 刘二 lecture, line for line. The cell copies its weights into `Block` and
# checks that the two compute the same thing. **Ask:** what would break if `conv1` had `padding=0`? (Its output
# would be smaller than `x`, and `x + y` would fail.)

# %% include="class ResidualBlock(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** same shape in, same shape out: that is the contract of this simple block. Real ResNets also need blocks
# that change the shape, next slide.

# %% [markdown] minutes=4 core=true
# ## d2l's block: batch normalization, projection, stride
#
# * BN after each convolution (the batch-norm chapter).
# * At the start of each stage the block doubles the channels and halves height and width. Then $x$ no longer
#   matches $F(x)$, so the shortcut gets its own 1×1 convolution with the same stride: a **projection**.

# %% [markdown] slide="notes"
# **Say:** `bias` and `shortcut_bn` are the two switches the chapter adds so that ResNet-18 matches torchvision
# exactly; d2l has biases and no BN on the projection.

# %% slide="sub" include="class Residual(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** read `forward` top to bottom: conv, BN, ReLU, conv, BN, then add the (projected) input, then ReLU.
# The two printed lines: without a projection the shape is kept; with `strides=2` and 6 channels it halves.

# %% [markdown]
# ### Predict: the first block of ResNet-18's second stage
#
# `Residual(64, 128, use_1x1conv=True, strides=2)` on a batch of shape (1, 64, 56, 56): what shape comes out?
# How many parameters does the 1×1 projection have?

# %% [markdown] slide="notes"
# **Answer:** (1, 128, 28, 28): 128 channels, and stride 2 halves 56 to 28 in both branches; the projection has
# 64 × 128 weights + 128 biases = 8,320 parameters (both printed). Common wrong answers: (1, 128, 56, 56)
# (forgetting that the stride also applies to the shortcut), or "an error, x and F(x) differ" (the projection is
# what makes them match).

# %%
entry = Residual(64, 128, use_1x1conv=True, strides=2)
print("output:", tuple(entry(torch.randn(1, 64, 56, 56)).shape), "  projection:", entry.shortcut[0],
      f"with {count_params(entry.shortcut):,} parameters")

# %% [markdown] slide="notes"
# **Ask:** and without `use_1x1conv`? Show the next sub-slide.

# %% slide="sub" include='Residual(3, 6, use_1x1conv=False, strides=2)(torch.randn'

# %% [markdown] slide="notes"
# **Say:** "a skip connection works for any block" is a common belief; it needs $x$ and $F(x)$ of the same shape.
# The error names the first axis that does not match, the width: 3 in $F(x)$ (halved by the stride), 6 in $x$.

# %% [markdown] minutes=6 core=true
# ## The course's residual network on MNIST
#
# `Conv(1,16,5,padding=2) → ReLU → pool → ResidualBlock(16) → Conv(16,32,5,padding=2) → ReLU → pool →
# ResidualBlock(32) → flatten → Linear(?, 10)`

# %% [markdown] slide="notes"
# **Say:** the learner's note writes `Linear(512, 10)` and asks why 512 (遗留问题：为什么线性层的输入维度是512).
# We answer it with a layer table instead of guessing.

# %% [markdown]
# ### Predict: the input size of the `Linear` layer
#
# With `padding=2` as written, how many features reach `Linear`? Is the note's 512 right?

# %% [markdown] slide="notes"
# **Answer:** 1568 = 32 × 7 × 7 (the Flatten row of the table): padding 2 keeps a 5×5 convolution's size, so
# 28 → 28 → pool 14 → 14 → pool 7. The note's 512 belongs to the same network *without* padding. Common wrong
# answers: 512 (the note's number), 32 × 28 × 28 (forgetting the two poolings), or 16 × 7 × 7 (the first conv's
# channels). A residual block never changes the shape, so it does not enter the count.

# %% slide="skip" include="class ResidualNet(nn.Module):"

# %%
table_pad2[["layer", "input", "output", "params"]]

# %% [markdown] slide="notes"
# **Say:** the chapter's `ResidualNet` (folded in the deck, written out in the chapter's section 3) is the chain on
# the slide before, with `padding` as a parameter; `layer_table` traces one 28×28 digit through it. Rows 2–3 and
# 6–7 are the convolutions inside the residual blocks: input shape = output shape. The note's code (padding 2 with
# `Linear(512, 10)`) does not run at all: next sub-slide.

# %% slide="sub" include="ResidualNet(padding=2, flat=512)(torch.zeros"

# %% [markdown] slide="notes"
# **Say:** read the message: 1x1568 is the flattened batch, 512x10 the layer's weight. Fix: read the size off a
# layer table, or let PyTorch infer it with `nn.LazyLinear(10)`.

# %% [markdown]
# ### The trained network: the fast path
#
# The chapter trains it for two epochs; here we load the weights it trained and measure them.

# %% [markdown] slide="notes"
# **Say:** the first printed line says which path this cell took and where the full run is (the chapter's
# section 3). The accuracy below is measured now, on the 10,000 validation images, by the weights the
# chapter trained; it should agree with the number the chapter recorded. The test split stays untouched here.

# %%
mnist_run = shipped.fast_path("09_resnet_mnist", made_by="notebooks/09_resnet.ipynb, section 3 (2 epochs on the "
                              "50,000 training images)", full_run="the same section (Adam, one-cycle schedule)")
model = ResidualNet(padding=2, flat=1568)
model.load_state_dict(mnist_run["model"])
x_val_all, y_val_all = data.load_mnist(split="val")
with training.torch_threads(experiments.cpu_workers()):
    val_acc = training.evaluate_accuracy(model, data.TensorLoader(x_val_all, y_val_all, batch_size=1000))
print(f"{count_params(model):,} parameters; measured now on the {len(y_val_all):,} validation images: {val_acc:.3f} "
      f"(the chapter recorded {mnist_run['metrics']['val_acc']:.3f})")

# %% [markdown] slide="notes"
# **Ask:** 52,074 parameters; is about 99% good for MNIST? (Yes for a network this small; LeNet-style networks are
# in the same range.) The chapter then uses the test split once, after every choice was made on validation.

# %% slide="sub"
history = mnist_run["history"]
print("validation accuracy per epoch (shipped history):", [round(a, 4) for a in history.val_acc])
plotting.plot_history({"residual network": history}, metric="step_loss");

# %% [markdown] slide="notes"
# **Say:** the shipped training curve, not a new run: most of the fall happens in the first hundred steps.

# %% [markdown] minutes=4 core=true
# ## ResNet-18
#
# A stem (7×7 conv with stride 2, BN, ReLU, 3×3 max pool with stride 2), four stages of two residual blocks
# (64, 128, 256, 512 channels; every stage after the first starts with a stride-2 block with a projection), global
# average pooling, one fully connected layer.

# %% [markdown] slide="notes"
# **Say:** built from the `Residual` block we just saw; the chapter's `resnet18` is in the folded cell below. It
# is checked against `torchvision.models.resnet18()` (random weights, nothing downloaded).

# %% [markdown]
# ### Predict: ResNet-18 at 224×224
#
# What shape leaves stage 4? Which part holds the most parameters: the stem, a stage, or the head?

# %% [markdown] slide="notes"
# **Answer:** (1, 512, 7, 7) after stage 4 (224 is halved by the stem conv, the stem pool and stages 2, 3, 4), and
# stage 4 holds most parameters: 8,393,728 of 11,689,512. Common wrong answer: "stage 1, its feature maps are the
# largest" (that is where the compute is; parameters grow with channels², not with the image size). The head
# (512 × 1000 + 1000 = 513,000) surprises some too.

# %% slide="skip" include="def resnet_stage("

# %%
stage_table

# %% include='print(f"ResNet-18 from scratch: {count_params(net18):,}'

# %% [markdown] slide="notes"
# **Say:** same count as torchvision, stage by stage; the chapter also copies torchvision's weights into ours and
# gets the same outputs. d2l's ResNet-18 (1 input channel, 10 classes, conv biases) has a different count; the
# chapter changes one thing at a time to get from one to the other.

# %% [markdown] minutes=2
# ## Pitfall: "ResNet-18 has 18 convolutions"

# %% [markdown] slide="notes"
# **Say:** a short one, good for a quick vote.

# %% [markdown]
# ### Predict: how many `nn.Conv2d` layers does ResNet-18 have?

# %% [markdown] slide="notes"
# **Answer:** 20: the stem, 16 in the blocks, and 3 projections (both cells print the counts). The 18 counts the
# layers with weights on the longest path: 17 convolutions and the fully connected layer. Common wrong answers: 18
# (the name), or 16 (only the blocks).

# %% include="projections = [m for m in convs if m.kernel_size == (1, 1)]"

# %%
in_blocks = len(convs) - len(projections) - 1
print(f"stem 1 + in the blocks {in_blocks} + projections {len(projections)}; on the longest path "
      f"{len(convs) - len(projections)} convolutions + 1 fully connected layer = {len(convs) - len(projections) + 1}")

# %% [markdown] slide="notes"
# **Say:** the name counts depth, not layers: what the gradient has to cross on the way back without the shortcuts.

# %% [markdown] minutes=4 core=true
# ## The bottleneck block
#
# ResNet-50, -101 and -152 use a *bottleneck*, the 1×1 idea of GoogLeNet again: a 1×1 conv shrinks the channels
# 4×, a 3×3 conv works on the thin tensor, a 1×1 conv expands them back.

# %% [markdown] slide="notes"
# **Say:** the chapter checks our block against the one inside torchvision's ResNet-50: same weights, same outputs.

# %% slide="sub" include="class Bottleneck(nn.Module):"

# %%
x_in = torch.randn(1, 256, 56, 56)
for b in (Bottleneck(256, 64), Bottleneck(256, 128, stride=2)):
    print(f"Bottleneck(256, {b.conv1.out_channels}, stride={b.conv2.stride[0]}): {tuple(x_in.shape)} -> "
          f"{tuple(b(x_in).shape)}, shortcut: {'identity' if b.shortcut is None else 'projection'}")

# %% [markdown] slide="notes"
# **Say:** three convolutions, each followed by BN; the shortcut is projected only when the shape changes (the
# second printed line: a stride of 2 and 4 × 128 = 512 channels out).

# %% slide="skip" include="ours_b = Bottleneck(256, 64).eval()"

# %% [markdown]
# ### Predict: a bottleneck at 256 channels, or a basic block at 64?
#
# Bottleneck 256 → 64 → 256, or a basic block of two 3×3 convolutions at 64 channels: which has more parameters?

# %% [markdown] slide="notes"
# **Answer:** about the same, and the basic block has slightly more: 73,984 against 70,400 parameters, and
# 462.4 against 436.7 MFLOPs at 56×56. So a bottleneck carries four times the channels between blocks for the price
# of a 64-channel basic block: that is what makes ResNet-50 affordable. Common wrong answers: "the bottleneck, it
# has three convolutions", and "the bottleneck is far cheaper" (true only against a 256-channel basic block,
# 1,180,672 parameters, which no ResNet uses at 56×56).

# %% include="basic_64, basic_256 = Residual(64, 64, bias=False)"

# %% [markdown] slide="notes"
# **Say:** `count_params` and `count_flops` from `helpers.inspect` count them; the third row is the tempting,
# misleading comparison.

# %% [markdown] minutes=3
# ## The pre-activation block
#
# He et al. (2016b) moved BN and ReLU *before* each convolution and dropped the ReLU after the sum: $y = x + F(x)$.
# With $F = 0$ the block is exactly the identity, negative values included.

# %% [markdown] slide="notes"
# **Say:** this answers the predict question about the ReLU after the addition: remove it, and the shortcut passes
# every gradient. DenseNet goes one step further and *concatenates* instead of adding, $[x, F(x)]$; the chapter
# has a dense block and exercise 3 is about it.

# %% slide="sub" include="class PreActResidual(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** the printed fraction is how many values the original block's last ReLU sets to zero here, where $F = 0$.

# %% [markdown] minutes=25
# ## In class: exercises
#
# In the student edition (`student/09_resnet.ipynb`), in pairs:
#
# 1. the `Linear` layer's input size when `ResidualNet` has `padding=1`;
# 2. the output shape of `Residual(3, 6, use_1x1conv=True, strides=2)` on a (4, 3, 7, 7) batch;
# 3. how many channels leave `DenseBlock(4, 64, growth=32)`;
# 4. run it, then read it: a plain network of 10 blocks, without any skip, that *does* learn.
#
# Each checker says "not attempted yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 5 minutes each for 1–3, 10 for 4. Exercise 2 uses an odd size on purpose: ask what a stride of 2
# does to 7 before they run anything. In exercise 4 the checker trains the network they build; afterwards ask
# which of the two problems of the first slides they fixed, and which they did not. The answers are in the answer
# key (TEACHING.md).

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * Without skips (default initialisation, no BN), the first layers of a deep CNN get almost no gradient.
# * $\text{ReLU}(x + F(x))$: the identity carries the gradient, where the ReLU after the sum is active.
# * Degradation: with He initialisation and BN, the deeper plain network still trained worse here, at this budget;
#   the residual network of the same depth ended below it on every seed.
# * A block that changes the shape needs a 1×1 projection with the same stride on the shortcut.
# * ResNet-18: a stem, four stages of basic blocks, pooling, one `Linear`; bottlenecks make deeper ResNets
#   affordable.
#
# The chapter, with exercises and checkers: `notebooks/09_resnet.ipynb`.

# %% [markdown] slide="notes"
# **Say:** hand out the student edition (`student/`, see TEACHING.md). For those who finish early: the chapter's
# DenseNet section, and the pre-activation paper (He et al., 2016b).
