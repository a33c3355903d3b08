# %% [markdown] minutes=2 core=true
# # 08 · Batch normalization
#
# Normalise inside the network, with the statistics of the current batch:
#
# 1. what a BN layer computes, written from scratch, and on which axes;
# 2. learned parameters and running statistics (buffers), and a learner's printout of them;
# 3. `train()` against `eval()`, and a batch of one;
# 4. LeNet with and without BN, compared fairly (results the chapter trained);
# 5. BN with tiny batches; LayerNorm, InstanceNorm and GroupNorm.

# %% [markdown] slide="notes"
# **Say:** the LeNet chapter normalised the *input* pixels. Today we normalise inside the network, at every layer.
# **Ask:** why did we normalise the input pixels at all? (Gradient descent works better on well-scaled inputs.)
# Run the whole deck once before class (Run ▸ Run All Cells). Section 8 of the chapter trains two sweeps, too long
# for class: this deck loads what they trained, and each such cell prints so and says where the full run is.

# %% slide="skip"
import copy
import math
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import ListedColormap
from torch import nn

from helpers import data, experiments, inspect, shipped, training
from helpers.widgets.batchnorm import RunningStatsExplorer

torch.set_num_threads(1)  # as in the chapter, so that the printed numbers are the chapter's
torch.set_printoptions(precision=4, sci_mode=False)
training.seed_everything(0)

# %% [markdown] minutes=3 core=true
# ## The idea
#
# Every layer is the input of the next, and the scale of its outputs drifts as training changes the weights.
# Normalise each channel with the mean and variance of the current minibatch $\mathcal{B}$:
#
# $$\hat{x} = \frac{x - \hat{\mu}_\mathcal{B}}{\sqrt{\hat{\sigma}^2_\mathcal{B} + \epsilon}}, \qquad
#   y = \gamma \odot \hat{x} + \beta$$
#
# * γ (scale) and β (shift): **learned**, one per channel, start at 1 and 0.
# * At test time: **running** estimates, $\text{running} \leftarrow (1 - m)\,\text{running} + m \cdot
#   \text{batch statistic}$, with PyTorch's `momentum` $m = 0.1$.
# * *Why* it helps training is debated: less drift ("internal covariate shift", Ioffe and Szegedy, 2015), or a
#   smoother loss surface (Santurkar et al., 2018)?

# %% [markdown] slide="notes"
# **Say:** Ioffe and Szegedy explained BN's effect by "internal covariate shift" (the drifting inputs of each
# layer); Santurkar et al. (cited in the chapter) argue that BN mainly makes the loss surface smoother. What BN
# computes is not in question, and that is today's lesson. Two steps: subtract the batch mean and
# divide by the batch standard deviation, then let the network scale and shift the result with γ and β, so it can
# undo the normalisation where it helps.
# ε = 1e-5 avoids dividing by zero. The variance used to normalise is the biased one (divide by n).
# **Ask:** why keep running estimates at all? (At test time there may be one example, and a prediction should not
# depend on which other examples share its batch.)

# %% [markdown] minutes=5 core=true
# ## Batch normalization from scratch
#
# One function for any input: (N, C) after a linear layer, (N, C, H, W) after a convolution. Statistics over every
# axis except the channel axis 1.

# %% [markdown] slide="notes"
# **Say:** point at `axes = [0, *range(2, X.ndim)]`: every axis but the channels. In training mode the batch's
# mean and biased variance normalise; the running statistics are updated in place, under `torch.no_grad()`, with the
# *unbiased* variance (× n / (n − 1)), as PyTorch does. In eval mode the running statistics normalise.
# **Say:** `register_buffer`: the running statistics are part of the module (saved, moved to the GPU), not
# parameters.

# %% slide="sub" include="def batch_norm("

# %% [markdown] slide="notes"
# **Say:** read `forward` last: the module only holds γ, β and the buffers, and passes `self.training` to the
# function, which is what `model.train()` and `model.eval()` switch.

# %% slide="sub"
torch.manual_seed(0)
ours, theirs = BatchNorm(3), nn.BatchNorm2d(3)
for _ in range(3):  # three training steps on different batches
    X = torch.randn(8, 3, 5, 5) * 3 + 2
    torch.testing.assert_close(ours(X), theirs(X), atol=1e-5, rtol=1e-5)
torch.testing.assert_close(ours.running_mean, theirs.running_mean)
torch.testing.assert_close(ours.running_var, theirs.running_var)
ours.eval()
theirs.eval()
torch.testing.assert_close(ours(X), theirs(X), atol=1e-5, rtol=1e-5)
print("ours == nn.BatchNorm2d: outputs in training mode, running_mean, running_var, outputs in eval mode")

# %% [markdown] slide="notes"
# **Say:** the chapter checks more shapes, `nn.BatchNorm1d` too, and the input gradients. **Ask:** what would go
# wrong if we used the biased variance for `running_var`? (The running statistics would drift away from PyTorch's,
# most with few values per channel; the chapter shows it.)

# %% [markdown] minutes=4 core=true
# ## Which axes?
#
# A convolution uses the same kernel at every position, so all positions of one channel are samples of one
# quantity. After a linear layer, each feature is its own quantity.

# %% [markdown] slide="notes"
# **Say:** this is the one idea to get right about BN on images. Let the class answer before the next slide.

# %% [markdown]
# ### Predict: how many means does BN compute on LeNet's first conv output, shape (16, 6, 28, 28)?
#
# And after a linear layer, on shape (16, 120)?

# %% [markdown] slide="notes"
# **Answer:** 6 after the convolution (one per channel, each over 16 × 28 × 28 = 12,544 values) and 120 after the
# linear layer (one per feature, over the 16 examples): averaged over the axes `batch_norm` uses, the cell prints
# means of shapes (6,) and (120,), and after BN each of those means is 0. Common wrong answers: 16 (one per image:
# that is LayerNorm), 6 × 28 × 28 (one per pixel and channel, as if the convolution output were a linear layer's),
# or 16 × 6 (one per image and channel: InstanceNorm).

# %%
torch.manual_seed(0)
outputs = {"conv": torch.randn(16, 6, 28, 28) * 3 + 2,  # (N, C, H, W), after a convolution
           "linear": torch.randn(16, 120) * 3 + 2}  # (N, features), after a linear layer
for name, out in outputs.items():
    axes = [0, *range(2, out.ndim)]  # batch_norm's axes: all but the channel axis 1
    means = out.mean(dim=axes)
    after_bn = BatchNorm(out.shape[1])(out).detach().mean(dim=axes)
    print(f"after a {name} layer: averaged over axes {tuple(axes)}, means of shape {tuple(means.shape)}, each over "
          f"{out.numel() // means.numel():,} values; after BN, largest |mean| {after_bn.abs().max():.4f}")

# %% [markdown] slide="notes"
# **Say:** a learner's note puts it well: flatten (N, C, H, W) to (N, C, H·W), then BN keeps only the channel axis.
# **Ask:** so which BN layer goes after a convolution, and which after a linear layer? (`nn.BatchNorm2d(C)` and
# `nn.BatchNorm1d(F)`; the argument is the number of channels or features, never the batch size.)

# %% [markdown] minutes=4 core=true
# ## Parameters and buffers
#
# A module holds two kinds of tensors:
#
# * **parameters**: learned, with gradients, moved only by the optimiser;
# * **buffers**: no gradient, bookkeeping that the module updates itself.
#
# Which are γ, β and the running statistics?

# %% [markdown] slide="notes"
# **Say:** γ and β are learned, so they are parameters; the running statistics are buffers, moved by every forward
# pass in training mode. A learner's note says `weight` and `bias` are statistics of the current batch: they are
# not, they are γ and β.

# %% [markdown]
# ### Predict: `nn.BatchNorm2d(64)`: how many learned parameters, and what is in its `state_dict`?

# %% [markdown] slide="notes"
# **Answer:** 128 learned parameters (`weight` and `bias`, 64 each, both with `requires_grad=True`); buffers
# `running_mean` (64), `running_var` (64) and `num_batches_tracked` (a scalar); the `state_dict` has all 5 entries.
# Common wrong answers: 256 parameters (counting the running statistics as parameters), 64 (forgetting β), or
# "the running statistics are not saved" (they are: a saved model keeps them).

# %%
bn64 = nn.BatchNorm2d(64)
for name, p in bn64.named_parameters():
    print(f"parameter {name:<20} shape {tuple(p.shape)}  requires_grad={p.requires_grad}")
for name, b in bn64.named_buffers():
    print(f"buffer    {name:<20} shape {tuple(b.shape)}")
print("learned parameters:", sum(p.numel() for p in bn64.parameters()), "  state_dict entries:", len(bn64.state_dict()))

# %% [markdown] slide="notes"
# **Say:** `named_parameters()` is what the optimiser sees; `named_buffers()` is bookkeeping. `affine=False` would
# drop γ and β (fixed at 1 and 0); `track_running_stats=False` drops the buffers, and then eval mode uses batch
# statistics too.

# %% slide="sub"
bn = nn.BatchNorm2d(6)  # the chapter's layer, 6 channels

# %% include="for _ in range(5):"

# %% [markdown] slide="notes"
# **Say:** five forward passes in training mode: γ and β untouched, the running mean moved 41 % of the way from 0
# to the data's mean 3. Then one optimiser step, and only then γ moves (the `assert`).
# **Ask:** which of the four vectors changes when you call `model(x)` in training mode, with no optimiser step?
# (The running statistics only.)

# %% [markdown] minutes=4 core=true
# ## A learner's printout: one step on uniform data
#
# A learner ran `nn.BatchNorm1d(16)` once on `torch.rand(100, 16, 784)` and printed the running statistics.
# `torch.rand` is uniform on [0, 1): mean 1/2, variance 1/12 ≈ 0.0833.

# %% [markdown] slide="notes"
# **Say:** each channel has 100 × 784 values, so the batch's own statistics are very close to 1/2 and 1/12.

# %% [markdown]
# ### Predict: `running_mean` and `running_var` after that one step (momentum 0.1)?

# %% [markdown] slide="notes"
# **Answer:** about 0.05 and 0.9083 in all 16 channels (the cell prints 0.0498 to 0.0502 and 0.9083 to 0.9084):
# 0.9 · 0 + 0.1 · 1/2 = 0.05 and 0.9 · 1 + 0.1 · 1/12 = 0.9083. Common wrong answers: 0.5 and 0.0833, the batch's
# own statistics. The learner's note says so too ("only one batch ran, so it is this batch's"): after one step
# the running statistics are still 90 % their starting values 0 and 1.

# %% include="layer = nn.BatchNorm1d(16)"

# %% [markdown] slide="notes"
# **Ask:** how many steps until the starting values weigh less than 1 %? ((1 − m)^k < 0.01: the next slide's
# `settle_steps` computes 44 for m = 0.1.) Warn about d2l: its from-scratch code calls 0.9 the momentum (the weight
# of the *old* value); PyTorch's `momentum=0.1` is the weight of the *new* batch statistic. Passing 0.9 to
# `nn.BatchNorm2d` makes the running statistics follow the last batch almost entirely.

# %% [markdown] minutes=4
# ## Explorer: how fast do the running statistics settle?
#
# 10,000 MNIST training images, 784 raw pixels each, fed to *our* `BatchNorm(1)` one random batch at a time.

# %% include="def settle_steps("

# %%
print(f"pixels: mean {pixels.mean():.2f}, variance {pixels.var(unbiased=False):.3f}   "
      f"settle_steps(0.1) = {settle_steps(0.1)}, settle_steps(0.5) = {settle_steps(0.5)}")

# %% [markdown] slide="notes"
# **Say:** `settle_steps(m)` is how many steps until the starting value's weight $(1 - m)^k$ drops below 1 %.
# The pixels are raw (0 to 1), so the running statistics have to travel from (0, 1) to the printed values. The
# explorer on the next slide draws them step by step, with each batch's own statistics as grey dots.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
explorer = RunningStatsExplorer(pixels, lambda momentum: BatchNorm(1, momentum=momentum), settle_steps, steps=200)
explorer

# %% slide="skip"
state = explorer.compute(batch_size=32, momentum=0.1)
assert state.settle_steps == 44 and state.mean_error < 0.01 and state.var_error < 0.01
assert explorer.compute(batch_size=2, momentum=0.5).mean_jitter > 3 * state.mean_jitter

# %% [markdown] slide="notes"
# **Do:** start at batch size 32, momentum 0.1: the blue line leaves 0 and 1 and settles near the red line after
# the green line (step 44). Then batch size 2: the grey dots scatter widely and the blue line jitters. Then
# momentum 0.5: it settles within a few steps but follows every noisy batch. **Ask:** which setting would you trust
# at test time? (A large batch and a small momentum: settled and smooth.)

# %% [markdown] minutes=4 core=true
# ## `train()` and `eval()`
#
# Training mode: the *batch's* statistics, so an example's output depends on its batch companions.
# Eval mode: the running statistics, so it depends on the example alone.

# %% [markdown] slide="notes"
# **Say:** like dropout, BN behaves differently in the two modes. The cell trains running statistics for 20 steps,
# then feeds the same 4 images in both modes.

# %% include="y_train_mode = bn(x)"

# %% [markdown] slide="notes"
# **Say:** the same input, two different outputs. Evaluating in training mode also *moves* the running statistics:
# every batch you test on is one more update. `helpers.training.fit` and `evaluate_accuracy` switch modes for you.

# %% [markdown]
# ### Predict: a batch of *one* example, `torch.randn(1, 4)`, into `nn.BatchNorm1d(4)`: in training mode? In eval mode?

# %% [markdown] slide="notes"
# **Answer:** training mode raises `ValueError: Expected more than 1 value per channel when training` (one value
# per feature: variance 0, and the unbiased estimate divides by n − 1 = 0); eval mode works and returns shape
# (1, 4). Common wrong answers: "it returns zeros" or "it works in both modes". After a convolution, a batch of one
# *does* run in training mode: BN then normalises over that one image's H × W values, which is InstanceNorm (the
# cell asserts it).

# %% include="bn1d = nn.BatchNorm1d(4)"

# %% [markdown] slide="notes"
# **Say:** this is why a learner's `nn.BatchNorm2d(16)` on `torch.rand(1, 16, 7, 7)` ran without complaint: it
# used the 7 × 7 values of one image per channel, and fed single-image statistics into the running estimates.

# %% [markdown] minutes=2 core=true
# ## LeNet with batch normalization
#
# A BN layer after every convolution and every hidden linear layer, before the activation (as d2l does).

# %% [markdown] slide="notes"
# **Say:** the chapter's `with_norm` (section 8; a cell the slideshow skips runs it, its code and table together are
# taller than a slide) copies a network and inserts a normalisation layer after each conv and linear layer but the
# last. Read the table: four BN rows, 2 parameters (γ and β) per channel or feature: 12, 32, 240 and 168.
# BN never changes a shape. **Ask:** why not after the output layer? (The logits go straight into the loss.)

# %% slide="skip" include="def with_norm("

# %%
bn_table[["layer", "output", "params"]]  # the chapter's layer table of lenet(True): LeNet with BN

# %% [markdown] minutes=6 core=true
# ## A fair comparison
#
# Fixed before any run: the same 12,800 images, 200 steps of SGD (momentum 0.9, batches of 128) for both; each
# network at its own best of 4 learning rates, picked on the **validation** split; **3 seeds**, mean and range.
# The validation accuracies shown are at the rate picked on them: a little optimistic for both networks.

# %% [markdown] slide="notes"
# **Say:** a comparison is only fair if both networks get the same data, the same budget and each its own tuned
# learning rate. One seed can be lucky: three seeds, and we claim only what holds for every one. The test split is
# touched once per model, at the very end (in the chapter). 2 networks × 4 rates × 3 seeds = 24 runs, too long for
# class, so the next cell loads what the chapter trained and prints where the full run is.
# **Say:** the accuracies shown are validation accuracies at the rate picked on those same validation runs, so they
# are a little optimistic for both networks; the chapter's test split, used once at the end, gives unbiased ones.

# %% include="def train_lenet("

# %% slide="sub"
sweep = shipped.fast_path("08_lr_sweep", made_by="notebooks/08_batch_norm.ipynb, section 8 (24 runs of 200 steps: "
                          "2 networks × 4 learning rates × 3 seeds)", full_run="the same notebook, section 8, the cell "
                          "that calls experiments.sweep")
final_val = {name: {float(lr): accs for lr, accs in by_lr.items()} for name, by_lr in sweep["final_val"].items()}
tuned = sweep["tuned"]
print(f"validation accuracy after 200 steps (shipped), mean (lowest–highest) over 3 seeds; "
      f"best rate: plain {tuned['plain']:g}, BN {tuned['BN']:g}")
experiments.table(final_val)

# %% [markdown] slide="notes"
# **Ask:** read the table row by row. At small rates both learn, BN a little better. At the largest rate, 0.3,
# plain LeNet stays near chance (about 10 %) for every seed while BN LeNet still learns. BN survives rates at
# which the plain network fails. These are the chapter's numbers, loaded from the file, not trained now.

# %% [markdown]
# ### Predict: each at its best rate, which network reaches 95 % validation accuracy first? For every seed?

# %% [markdown] slide="notes"
# **Answer:** BN LeNet, for every seed: the cell prints the steps to 95 % from the shipped histories, 80, 120 and 80
# for BN against 160, 160 and 200 for plain (measured every 40 steps), so BN's slowest seed beats plain's fastest.
# Common wrong answers: "the same, BN only helps deep networks" or "BN is slower, it does more work per step".

# %%
histories = sweep["histories"]  # each network's 3 seeds at its best rate (a short plot of the shipped histories)
fig, ax = plt.subplots(figsize=(7.5, 2.7), layout="constrained")
for name, color in (("plain", "tab:blue"), ("BN", "tab:orange")):
    print(f"{name:>5}: steps to {THRESHOLD:.0%} validation accuracy, seeds 0, 1, 2:",
          [h.steps_to(THRESHOLD) for h in histories[name]])
    for k, h in enumerate(histories[name]):
        ax.plot(h.eval_step, h.eval_acc, color=color, label=f"{name} at {tuned[name]:g}" if k == 0 else None)
ax.axhline(THRESHOLD, color="grey", ls=":", lw=1)
ax.set(ylim=(0.8, 1.0), xlabel="step", ylabel="validation accuracy", title="each at its best rate, 3 seeds")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)

# %% [markdown] slide="notes"
# **Say:** the three orange curves (BN) cross the dotted line before the three blue ones. (The chapter's figure
# also draws the sweep's table as curves.) Accuracy is measured every 40 steps, so the step counts are multiples
# of 40. Claim only what the spread allows: here BN is faster seed by seed, not only on average.

# %% slide="sub"
models = {}
for name, norm in (("plain", False), ("BN", True)):
    models[name] = lenet(norm)
    models[name].load_state_dict(sweep["models"][name])
    measured = training.evaluate_accuracy(models[name], val_loader)
    print(f"{name:>5} LeNet, seed 0, lr {tuned[name]:g}: {measured:.3f} on the 2,000 validation images, measured "
          f"now on the loaded weights (its shipped history: {histories[name][0].val_acc[-1]:.3f})")

# %% [markdown] slide="notes"
# **Say:** we do not just trust the file: these are the shipped weights of seed 0, loaded into the LeNet
# built by the chapter's own code, and evaluated here, now, on the same validation images the history used.
# The two numbers agree. To run the whole sweep, open the chapter (linked under the title) at section 8.

# %% [markdown] minutes=3
# ## A short run in class
#
# The chapter's recipe cut to its first 40 steps, both networks at their chosen rate, 3 seeds side by side:
# validation accuracy every 10 steps. Early in training only.

# %% [markdown] slide="notes"
# **Say:** this one trains now, live (TEACHING.md lists how long its cells take). It is a short run: its numbers
# are not the chapter's result, they only show what happens early in training. **Ask:** which curves will rise first?

# %%
def short_run(norm: bool, seed: int) -> training.History:
    """40 steps of the chapter's recipe (batches of 128), validation accuracy every 10 steps."""
    model = training.seeded_model(lambda: lenet(norm), seed)
    return train_lenet(model, tuned["BN" if norm else "plain"], seed, epochs=1, images=40 * BATCH, eval_every=10)


# %% slide="skip"
def plot_short(short: dict) -> None:
    """The short run's validation accuracy, every seed of both networks."""
    fig, ax = plt.subplots(figsize=(7, 2.6), layout="constrained")
    for name, color in (("plain", "tab:blue"), ("BN", "tab:orange")):
        for k, h in enumerate(short[name]):
            ax.plot(h.eval_step, h.eval_acc, "o-", color=color, ms=3, label=name if k == 0 else None)
    ax.set(xlabel="step", ylabel="validation accuracy", title="a short live run: the first 40 steps, 3 seeds")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


# %% [markdown] slide="notes"
# **Say:** `short_run` is the chapter's `train_lenet` with fewer images: one pass over 40 batches, an evaluation
# on the 2,000 validation images every 10 steps. The next cell trains 2 networks × 3 seeds side by side.

# %% slide="sub"
# NBVAL_IGNORE_OUTPUT
runs_live = experiments.run_all(short_run, [(norm, seed) for norm in (False, True) for seed in (0, 1, 2)])
short = {"plain": runs_live[:3], "BN": runs_live[3:]}
for name in short:
    print(f"short run, {name:>5}: validation accuracy after 10 and 40 steps, seeds 0-2:",
          [f"{h.eval_acc[0]:.2f} → {h.eval_acc[-1]:.2f}" for h in short[name]])
plot_short(short)

# %% slide="skip"
assert min(h.eval_acc[-1] for h in short["BN"]) > max(h.eval_acc[-1] for h in short["plain"])

# %% [markdown] slide="notes"
# **Say:** early in training BN LeNet is far ahead, for every seed (a cell skipped in the slideshow asserts it). The
# printed numbers come from this machine's short run; they may differ a little on another laptop.
# **Ask:** does this prove BN ends higher after 200 steps? (No: this run stops at 40 steps. The shipped sweep
# answers that, with the seeds' ranges.)

# %% [markdown] minutes=4 core=true
# ## When the batch is tiny
#
# BN's statistics come from the batch. With 2 examples per batch, each feature of a linear layer has 2 values.

# %% [markdown] slide="notes"
# **Say:** run the cell: training-mode BN maps the two values of each feature to −1 and +1, unless they are
# within about √ε of each other (the last line: ε keeps the division finite, so two close values stay close).

# %%
torch.manual_seed(0)
pair = torch.randn(2, 5) * 10 + 3  # a batch of 2 examples, 5 features on any scale
print(pair)
print(nn.BatchNorm1d(5)(pair).detach())
eps = nn.BatchNorm1d(1).eps
print(f"eps = {eps:g}, sqrt(eps) = {eps ** 0.5:.4f}; the values 0 and 0.001 become",
      nn.BatchNorm1d(1)(torch.tensor([[0.0], [0.001]])).detach().flatten())

# %% [markdown]
# ### Predict: batches of 2, 300 steps, each network at its best rate: rank plain LeNet, BN LeNet, GroupNorm LeNet

# %% [markdown] slide="notes"
# **Answer:** GroupNorm first, plain second, BN last: the cell prints the shipped validation accuracies, GroupNorm
# 0.778, plain 0.591, BN 0.264 (means over 3 seeds, each at the rate picked on these same validation runs, so a
# little optimistic for all three), and every seed of plain beats every seed of BN. BN does not just
# stop helping at batch size 2, it hurts. Common wrong answer: "BN is still best, it always helps".

# %%
small_run = shipped.fast_path("08_small_batches", made_by="notebooks/08_batch_norm.ipynb, section 8, 'When the "
                              "batch is too small' (3 networks × 3 learning rates × 3 seeds, 300 steps of 2 images)",
                              full_run="the same notebook, the sweep under 'When the batch is too small'")
small = {name: {float(lr): accs for lr, accs in by_lr.items()} for name, by_lr in small_run["small"].items()}
best = {name: experiments.best_lr(by_lr) for name, by_lr in small.items()}
for name in sorted(small, key=lambda name: -experiments.spread(small[name][best[name]]).mean):  # best first
    print(f"{name:>18}: {experiments.spread(small[name][best[name]]).format(3)} at its best rate {best[name]:g}")

# %% [markdown] slide="notes"
# **Say:** why BN fails: its batch statistics are too noisy to normalise with, and the running averages that eval
# mode uses inherit that noise. GroupNorm (next slide) normalises each example on its own, so the batch size does
# not enter at all. This is one reason some detection and segmentation networks, trained with a few large images
# per GPU, use GroupNorm, and one reason transformers use LayerNorm.
# **Say:** these are validation accuracies at the rate picked on the same runs: a little optimistic for all three.

# %% [markdown] minutes=5
# ## BatchNorm, LayerNorm, InstanceNorm, GroupNorm
#
# The same formula; only *which values share a mean and a variance* differs. A batch of shape (6, 3, 784):

# %% [markdown] slide="notes"
# **Say:** BatchNorm per channel over the batch and positions; LayerNorm per example; InstanceNorm per example and
# channel; GroupNorm per example and group of channels. The cell normalises by hand over the given axes and checks
# each against PyTorch's layer. **Ask:** which one does not depend on the batch size? (All but BatchNorm.)

# %% include="def normalize_over("

# %% slide="skip" include="def statistic_ids("

# %% slide="sub"
fig  # the chapter's figure: statistic_ids gives each value the number of its statistic

# %% [markdown] slide="notes"
# **Say:** each row is one example, each block one channel; squares of one colour share one mean and one
# variance. GroupNorm is drawn on 6 channels in 2 groups. **Ask:** GroupNorm with 1 group is which norm? With one
# group per channel? (LayerNorm; InstanceNorm. The next cell checks both.)

# %% slide="sub"
same = {"GroupNorm(1, 3) and LayerNorm": (nn.GroupNorm(1, 3), nn.LayerNorm([3, 784])),
        "GroupNorm(3, 3) and InstanceNorm": (nn.GroupNorm(3, 3), nn.InstanceNorm1d(3))}
for name, (norm_a, norm_b) in same.items():
    print(f"{name}: the same outputs on X: {torch.allclose(norm_a(X), norm_b(X), atol=1e-4)}")
X6 = torch.randn(6, 6, 784)
ours, means = normalize_over(X6.reshape(6, 2, 3 * 784), (2,))  # 2 groups of 3 channels, by hand
print(f"GroupNorm(2, 6) by hand: the same outputs as nn.GroupNorm(2, 6): "
      f"{torch.allclose(ours.reshape(6, 6, 784), nn.GroupNorm(2, 6)(X6), atol=1e-4)}; "
      f"pairs of statistics: {means.numel()} (6 examples × 2 groups)")

# %% [markdown] slide="notes"
# **Say:** the chapter's `normalize_over` does GroupNorm too: reshape the channels into groups, then normalise each
# example and group over its values. **Ask:** how many pairs of statistics would GroupNorm(2, 6) compute on a batch
# of 32 instead of 6? (32 × 2: it grows with the batch, but each pair comes from one example alone.)

# %% [markdown] minutes=3
# ## Pitfall: forgetting `model.eval()`
#
# The shipped BN LeNet (seed 0), on 500 validation images: in eval mode, and in training mode with batches of 2.

# %% [markdown] slide="notes"
# **Say:** a common bug: evaluating with the model still in training mode. With small test batches each pair of
# images is normalised with its own statistics. Measured on the loaded weights, now.

# %%
bn_model = copy.deepcopy(models["BN"]).eval()
with torch.no_grad():
    acc_eval = training.accuracy(bn_model(x_val[:500]), y_val[:500])
    bn_model.train()  # the mistake
    acc_train_mode = training.accuracy(torch.cat([bn_model(x_val[i:i + 2]) for i in range(0, 500, 2)]), y_val[:500])
print(f"eval mode: {acc_eval:.3f}   training mode, batches of 2: {acc_train_mode:.3f}")

# %% [markdown] slide="notes"
# **Say:** the same weights, a much lower accuracy, only because of the mode. And those 250 batches also moved the
# running statistics (the model was a copy). A common belief this corrects: "`eval()` only matters for dropout".

# %% [markdown] minutes=3
# ## Pitfall: "μ and σ are only statistics, they carry no gradient"
#
# The running statistics carry none. The *batch* mean and variance are computed from the input inside the graph.
# Detach them, and the gradient is wrong:

# %% [markdown] slide="notes"
# **Say:** a learner's note says μ and σ have no gradient. In training mode they do.

# %% include="detached_grad = X.grad.clone()"

# %% [markdown] slide="notes"
# **Say:** the chapter's cell: the same loss, once through `nn.BatchNorm2d`, once with the batch statistics
# detached. **Ask:** which of the two gradients sums to zero over each channel? The next cell prints both.

# %% slide="sub"
for name, grad in (("true", true_grad), ("detached", detached_grad)):
    per_channel = grad.sum(dim=(0, 2, 3)).round(decimals=3) + 0.0  # + 0.0: no "-0.000"
    print(f"{name:>8} gradient, summed over each channel (N, H, W):", ", ".join(f"{v:.3f}" for v in per_channel))

# %% [markdown] slide="notes"
# **Say:** the true gradient sums to zero in every channel: shifting a whole channel by a constant changes nothing
# after BN. The detached one does not, because it misses the paths through the mean and the variance.

# %% [markdown] minutes=22
# ## In class: exercises
#
# In the student edition (`student/08_batch_norm.ipynb`), in pairs:
#
# 1. the running statistics after one batch of uniform [0, 6) values;
# 2. how many pairs of statistics BN, LayerNorm, InstanceNorm and GroupNorm compute on (32, 64, 14, 14);
# 3. fold an eval-mode BN into the linear layer before it (`fold_bn`);
# 4. run it, then read it: a learning rate, not in the sweep, at which only BN LeNet learns.
#
# Each checker says "not attempted yet" until you answer, then ✅ or what was expected.

# %% [markdown] slide="notes"
# **Do:** about 4 minutes each for 1 and 2, 6 for 3, 8 for 4 (its checker trains two LeNets each time it runs).
# Walk around. For 3, hint: write what eval-mode BN computes per feature, then multiply it out.
# For 4, ask what the sweep's table suggests before they try rates. The answers are in the answer key
# (TEACHING.md).

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * BN: normalise with the batch's mean and variance, then scale by γ and shift by β (learned).
# * Per channel over (N, H, W) after a convolution, per feature after a linear layer.
# * Running statistics (buffers): `0.9 · running + 0.1 · batch`, used in eval mode; one step on uniform data gives
#   0.05 and 0.9083.
# * `train()` and `eval()` differ; training-mode BN needs more than one value per channel.
# * LeNet: BN learns at rates where plain LeNet stalls, and reaches 95 % in fewer steps (3 seeds).
# * Batches of 2 break BN; GroupNorm does not look across the batch.
#
# The chapter, with exercises and checkers: `notebooks/08_batch_norm.ipynb`. Next: ResNet.

# %% [markdown] slide="notes"
# **Say:** one sentence each. **Ask:** in a few words, what does BN need that GroupNorm does not? (A large enough
# batch.)
# Hand out the student edition (`student/08_batch_norm.ipynb`, see TEACHING.md).
