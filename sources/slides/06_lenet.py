# %% [markdown] minutes=1 core=true
# # 06 · LeNet
#
# A whole convolutional network on real handwritten digits, in one class:
#
# 1. MNIST through `torchvision`, and three sets with three jobs;
# 2. LeNet-5 layer by layer: shapes and parameters (and the input size of the course network's linear layer);
# 3. one epoch written out; the trained network loaded from the chapter;
# 4. why the sigmoid LeNet starts slowly, and what the trained network sees.

# %% [markdown] slide="notes"
# **Say:** the earlier chapters built the parts (convolution, padding, channels, pooling). Today we stack them into
# the first famous CNN and train it on digits. **Ask:** who has trained a network on MNIST already? What accuracy?
# **Do:** run the whole deck once before class (Run ▸ Run All Cells); its slowest cells are two short training
# runs (TEACHING.md lists each section's cell seconds). Nothing here trains for long: the chapter's five-epoch run
# is loaded from a file the course ships (the "fast path"); the loading cell prints where the full run is in the
# chapter, `notebooks/06_lenet.ipynb`.

# %% slide="skip"
import functools
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from helpers import data, inspect, plotting, shipped, training
from helpers.widgets.lenet import DigitExplorer

# One torch thread, as in the chapter: the same numbers whatever the number of cores, and no slow-down from
# threads fighting over a busy laptop's cores.
torch.set_num_threads(1)
torch.set_printoptions(precision=4, sci_mode=False)
training.seed_everything(0)


# %% [markdown] minutes=3 core=true
# ## The data: MNIST through `torchvision`
#
# 70,000 grey 28×28 handwritten digits with their labels. `helpers.data.mnist_dataset` returns torchvision's own
# `MNIST` dataset, read from an offline copy: the same code as `download=True`.

# %% [markdown] slide="notes"
# **Say:** `ToTensor()` turns each picture into a float tensor of shape (1, 28, 28) in [0, 1]: one channel, then
# height, then width. Point at the printed type: it really is `torchvision.datasets.MNIST`.

# %% include="train_set = data.mnist_dataset(train=True)"

# %% slide="sub"
fig = plotting.show_images([train_set[i][0] for i in range(16)], nrows=2,
                           titles=[f"label {train_set[i][1]}" for i in range(16)], scale=0.95)

# %% [markdown] slide="notes"
# **Ask:** which of these would *you* hesitate over? Keep them in mind for the confusion matrix at the end.
# **Say:** the mean and standard deviation every tutorial copies are simply computed from the training pixels
# (next cell); `transforms.Normalize` subtracts the one and divides by the other.
# Common wrong answer: "normalise the test set with its own mean and standard deviation". Use the training
# constants everywhere: at test time we pretend we have never seen the test set.

# %% include="pixels = train_set.data.float() / 255"

# %% [markdown]
# ### Three sets, three jobs
#
# * **50,000 training** images: the weights learn from them.
# * **10,000 validation** images: every choice (learning rate, epochs, which network) and every accuracy during
#   training.
# * **10,000 test** images: touched **once**, at the end, for one final number.

# %% [markdown] slide="notes"
# **Say:** a test accuracy that guided a choice is no longer an honest estimate. The learners' MNIST script in
# our notes prints "Accuracy on test set" after every epoch and picks its epochs from it: that is using the test
# set as a validation set. In this deck one cell only evaluates the network on the test images.

# %% include="x_val, y_val = data.load_mnist("

# %% [markdown] minutes=5 core=true
# ## LeNet-5 (d2l's simplified version)
#
# Two blocks of *convolution → activation → pooling* (6, then 16 channels), then three linear layers (120, 84, 10).
# d2l uses sigmoid and average pooling; the modern variant uses ReLU and max pooling. One function builds both:

# %% [markdown] slide="notes"
# **Say:** LeCun's network read handwritten digits on bank cheques in the 1990s. Read the function top to bottom:
# the first convolution pads by 2, the second does not; each pooling halves height and width.
# `nn.Flatten()` turns the feature maps into one vector per image before the linear layers.

# %% include="def lenet("

# %% [markdown]
# ### Predict: the output shape of each layer for one 28×28 digit
#
# Start from (1, 1, 28, 28). What comes out of the first convolution, each pooling, the second convolution?

# %% [markdown] slide="notes"
# **Answer:** conv1 (1, 6, 28, 28) (padding 2 keeps 28), pool (1, 6, 14, 14), conv2 (1, 16, 10, 10) (14 − 5 + 1),
# pool (1, 16, 5, 5), flatten (1, 400), then 120, 84, 10: the `output` column of the table.
# Common wrong answers: 24×24 after conv1 (forgetting `padding=2`), 14×14 after conv2 (assuming every convolution
# keeps the size), or 6 channels after conv2 (the channels come from `out_channels`, not from the input).

# %% slide="skip" include='table = inspect.layer_table(lenet("sigmoid")'

# %%
table[["layer", "input", "output"]]  # the chapter's layer table; its parameter columns come two slides later

# %% [markdown] slide="notes"
# **Say:** the shapes shrink while the channels grow: resolution is traded for features, the pattern of almost
# every CNN since. The ReLU variant has exactly the same table (activations and pooling change no shape).

# %% [markdown] minutes=3 core=true
# ## Where the parameters are
#
# A $k \times k$ convolution from $c_i$ to $c_o$ channels: $c_o c_i k^2$ weights $+\ c_o$ biases.
# A linear layer from $n$ to $m$ units: $nm + m$. Activations, pooling and flattening: none.

# %% [markdown] slide="notes"
# **Say:** let the class compute conv1 together: 6 · 1 · 25 + 6 = 156. Then the question.

# %% [markdown]
# ### Predict: how many parameters in all, and which layer holds most of them?

# %% [markdown] slide="notes"
# **Answer:** 61,706; the first linear layer, `Linear(400, 120)`, holds 48,120 of them (78 %); the two
# convolutions hold 4.2 % but do 6.2 times the multiply-adds of the three linear layers, since each kernel is used
# at every position (the cells print all of this). Common wrong answers: "the convolutions, they are the
# important part" (few weights, much work), and counts without the biases (one per output channel or unit).

# %% include="per_layer = table[table"

# %%
convs, linears = [0, 3], [7, 9, 11]  # row numbers of the layer table
print(f"Linear(400, 120): {table['params'][7] / n_params:.0%} of the parameters; the two convolutions: "
      f"{table['params'][convs].sum() / n_params:.1%}")
print(f"multiply-adds: the convolutions do {table['mult_adds'][convs].sum() / table['mult_adds'][linears].sum():.1f}"
      f"x those of the three linear layers")
print(f"the ReLU / max-pool variant: {inspect.count_params(lenet('relu')):,} parameters")

# %% [markdown] slide="notes"
# **Say:** parameters cost memory; multiply-adds cost time. A convolution is cheap to store and expensive to run.
# Later networks (GoogLeNet, ResNet) replace big linear layers by global average pooling for exactly this reason.

# %% [markdown] minutes=3 core=true
# ## The classic course network: how wide is its linear layer?
#
# Conv(1→10, 5×5) → 2×2 max pool → ReLU → Conv(10→20, 5×5) → 2×2 max pool → ReLU → `Linear(?, 10)`.
# No padding anywhere.

# %% [markdown] slide="notes"
# **Say:** this is the network in 刘二's PyTorch lectures, in our notes with the comment "这里的参数要计算匹配"
# (this number must be computed to match). Today we compute the `?`. Do not name the number before the question.

# %% [markdown]
# ### Predict: what shape leaves the second pooling layer?
#
# One 28×28 digit in. How many numbers per image reach the linear layer?

# %% [markdown] slide="notes"
# **Answer:** (1, 20, 4, 4), so 20 × 4 × 4 = 320: 28 → 24 (conv) → 12 (pool) → 8 (conv) → 4 (pool). The table's
# last row has input (1, 320). Common wrong answers: 20 × 7 × 7 = 980 (as if each convolution kept the size), or
# 10 × 4 × 4 = 160 (the first convolution's channels). If the number is wrong, PyTorch says so at the first
# forward pass with a shape-mismatch error, never at construction.

# %% include="class CourseNet(nn.Module):"

# %% [markdown] slide="notes"
# **Say:** the same rule as LeNet's table: each unpadded 5×5 convolution takes 4 pixels off, each pooling halves.
# `x.flatten(1)` keeps the batch axis; the notes' `x.view(batch_size, -1)` does the same.
# **Ask:** this network pools *before* its ReLU, LeNet after. Does it matter? (A pitfall slide near the end.)

# %% [markdown] minutes=2
# ## The 1998 LeNet-5 was not quite this
#
# LeCun, Bottou, Bengio and Haffner, *Gradient-based learning applied to document recognition* (1998):
#
# * a scaled **tanh**, zero-centred, not the logistic sigmoid;
# * **trainable** subsampling layers, and a sparse connection table in the second convolution;
# * a larger input field, and a convolution where d2l has `Linear(400, 120)`;
# * **RBF** output units (distance to a fixed bitmap per class), and no Adam: a second-order method.

# %% [markdown] slide="notes"
# **Say:** d2l's version keeps the shape of the network and replaces the details by today's standard parts.
# When a paper or a library says "LeNet", ask which one. Exercise 4 of the chapter measures what the tanh would
# have changed; do not give its answer away here.

# %% [markdown] minutes=5 core=true
# ## One epoch, written out
#
# `model.train()`; then for every shuffled minibatch of 128: **forward, loss, `zero_grad`, `backward`, `step`**;
# then `model.eval()` and `torch.no_grad()` for the accuracy on the **validation** images.

# %% [markdown] slide="notes"
# **Say:** the chapter's code: `train_step` and `evaluate` on the next slide, then one epoch (391 steps over 50,000
# images) on the slide after. **Ask:** what does `model.train()` change in LeNet? (Nothing: it has no dropout or
# batch norm. The habit matters for the later chapters.)

# %% include="def train_step(" slide="sub"

# %% [markdown] slide="notes"
# **Say:** the four moves are in `train_step`: forward and loss, `zero_grad`, `backward`, `step`. Point at
# `x, y = x.to(model_device), ...`: `Tensor.to` returns a new tensor, so it must be assigned.
# Common wrong answers (from the notes' loop): no `model.train()` / `model.eval()` at all, and `zero_grad` in
# the wrong place. Before or after `forward` is fine; it must come before `backward`.

# %% include="relu_net = lenet(\"relu\").to(device)" slide="sub"

# %% include="print(f\"{len(epoch_losses)} steps"

# %% [markdown] slide="notes"
# **Ask:** why does the first loss sit next to ln 10 (2.30)? (A fresh network gives the ten classes almost equal
# scores.) **Say:** this ran live before class, one epoch of 391 steps. Its numbers change a little from machine to
# machine (float rounding differs), so the cell asserts only what holds everywhere: the first loss is ln 10.

# %%
# Checks for this section (you can skip this cell)
assert len(epoch_losses) == 391 and abs(epoch_losses[0] - math.log(10)) < 0.1 and val_acc_epoch_1 > 0.95

# %% [markdown] minutes=3
# ## Pitfall: "`model.to(device)` moved everything"
#
# `Module.to` changes the module **in place**; `Tensor.to` returns a **new** tensor. Dtypes follow the same rule,
# so we can see it on any machine:

# %% [markdown] slide="notes"
# **Say:** the notes' script moves the model to the GPU and never its batches. On a CPU-only laptop nothing fails;
# on the first GPU machine the forward pass raises "Expected all tensors to be on the same device". The same notes
# spell the test `torch.cuda is available()` (a `NameError` on every machine, caught at the first run); the
# missing `x = x.to(device)` is the bug that hides. The right check is `torch.cuda.is_available()`.

# %% include="layer = nn.Linear(4, 2)"

# %% [markdown] minutes=4 core=true
# ## The trained network, loaded
#
# The chapter continues this network with `fit` for four more epochs. In class we load what it trained, then
# **measure** it here.

# %% [markdown] slide="notes"
# **Say:** the course ships the weights and the training history that the chapter's own run produced; the cell
# prints where they come from and where the full run is. Loading is one line: `load_state_dict`. That is also how
# you save your own work: `torch.save(model.state_dict(), ...)`, never the whole model object.

# %%
run = shipped.fast_path("06_lenet", made_by="notebook 06, section 4 (epochs 2-5, with fit, on 50,000 images)",
                        full_run="notebooks/06_lenet.ipynb, section 4, 'fit takes over' (one cell; its progress bar "
                                 "shows the time on your machine)")
relu_net.load_state_dict(run["model"])  # into the network the chapter's code built and trained for one epoch
val_acc = evaluate(relu_net, x_val, y_val)  # the chapter's evaluate: eval mode, no gradients
print(f"measured now, the loaded weights on the 10,000 validation images: {val_acc:.3f}")
print(f"measured by the chapter after its last epoch (in the shipped file): {run['metrics']['val_acc']:.3f}")

# %% slide="skip"
assert abs(val_acc - run["metrics"]["val_acc"]) <= 0.001

# %% slide="sub"
h, h2 = run["history"], run["history_2"]
end = h.epoch_step[-1]  # the last step at lr 0.002; the last epoch (lr 0.0002) follows
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 2.9), layout="constrained")
ax1.plot(h.step, h.step_loss, lw=0.8, label="lr 0.002")
ax1.plot([end + s for s in h2.step], h2.step_loss, lw=0.8, label="lr 0.0002")
ax1.set(yscale="log", xlabel="step of fit", ylabel="training loss (one minibatch)", title="shipped history: loss")
ax2.plot(h.eval_step, h.eval_acc, color="tab:green", label="every 25 steps (1,000 validation images)")
ax2.plot(h.epoch_step + [end + h2.epoch_step[-1]], h.val_acc + h2.val_acc, "rs", label="after each epoch")
ax2.set(ylim=(0.95, 1.0), xlabel="step of fit", ylabel="validation accuracy", title="shipped history: accuracy")
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8);

# %% [markdown] slide="notes"
# **Say:** these curves are the chapter's run, read from the shipped file, not trained now. The loss is noisy
# because each point is one minibatch; the ten times smaller learning rate of the last epoch settles it.
# **Ask:** why do we check validation images every 25 steps, but never the test images? (Choices were made from
# these curves: the learning rate, the number of epochs.) The last red square is the number we measured above.

# %% [markdown]
# ### Training is over: now, once, the test set
#
# No choice depends on it any more. This is the deck's only cell that reads the test images.

# %% [markdown] slide="notes"
# **Say:** one number, measured once, reported as it is. If we now went back and changed the learning rate because
# of it, it would stop being an honest estimate. The chapter uses its test predictions for its confusion matrix;
# this deck uses the validation images for everything else.

# %%
test_acc = evaluate(relu_net, x_test, y_test)
print(f"test accuracy of the loaded weights on all 10,000 test images: {test_acc:.3f}")
assert test_acc >= 0.99

# %% [markdown] minutes=5 core=true
# ## Sigmoid or ReLU: which starts faster?
#
# d2l's two variants with Adam, the same 150 minibatches in the same order, at the rate the chapter's sweep found
# best for each: both came out at the same rate (the cell prints it). A **short run**, trained now.

# %% [markdown] slide="notes"
# **Say:** a fair race: same data, same order, same number of steps, each network at the rate the chapter's sweep
# (judged on validation images) found best for it; both came out at 0.008. The chapter repeats it over three seeds;
# here one seed.

# %% [markdown]
# ### Predict: which training loss falls faster early in training?
#
# The ReLU / max-pool LeNet or the sigmoid / average-pool LeNet, 150 steps each?

# %% [markdown] slide="notes"
# **Answer:** the ReLU network. Its loss leaves ln 10 ≈ 2.30 (a uniform guess) first, while the sigmoid
# network's sits on that plateau for longer: when this deck was built, from step 10 against step 35, and 0.969
# against 0.887 validation accuracy after 150 steps (the numbers move a little from machine to machine; the order
# does not). This is early in training only: the sigmoid network does learn, it starts later. Common wrong
# answers: "the same, Adam adapts the steps" (not for this), "the sigmoid, it is smoother", or the right answer
# for the wrong reason, "its gradient vanishes" (next slide).

# %%
# NBVAL_IGNORE_OUTPUT
ACTIVATIONS, LN10, STEPS, LR = ("relu", "sigmoid"), math.log(10), 150, 8e-3  # LR: the chapter's best for both
val_2k = data.TensorLoader(x_val[:2000], y_val[:2000], batch_size=1000)
short = {act: training.fit(training.seeded_model(functools.partial(lenet, act), 0), train_loader(0, n=STEPS * 128),
                           val_2k, epochs=1, optimizer=torch.optim.Adam, lr=LR, log_every=5, live=False)
         for act in ACTIVATIONS}
left = {act: next((s for s, loss in zip(h.step, h.step_loss, strict=True) if loss < LN10 - 0.1), STEPS + 1)
        for act, h in short.items()}
print(f"short run, not the chapter's result: {STEPS} steps of 128 images, seed 0, Adam lr {LR:g} for both")
for act, h in short.items():
    print(f"{act:>8}: loss below ln 10 - 0.1 from step {left[act]}; validation accuracy (2,000 images) "
          f"{h.val_acc[-1]:.3f}")

# %% [markdown] slide="notes"
# **Say:** same steps, same images, same order; only the activation and the pooling differ. The next slide
# draws the two curves.

# %% slide="sub"
fig, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
for act, h in short.items():
    ax.plot(h.step, h.step_loss, label=f"{act} LeNet")
ax.axhline(LN10, color="grey", ls=":", lw=1, label="ln 10 (uniform guess)")
ax.set(xlabel="step", ylabel="training loss", title="early in training (a short run)")
ax.grid(alpha=0.3)
ax.legend();

# %% [markdown] slide="notes"
# **Say:** this one run is a demonstration, not evidence: the chapter repeats the race with seeds 0, 1 and 2
# (`notebooks/06_lenet.ipynb`, section 4, "The sigmoid LeNet: slow to start").
# **Ask:** the notes train d2l's sigmoid LeNet with SGD at lr 0.9, a very large rate. Why would it need one?

# %% slide="skip"
assert left["sigmoid"] > left["relu"] and short["sigmoid"].val_acc[-1] < short["relu"].val_acc[-1]

# %% [markdown] minutes=5
# ## Why is the sigmoid network slow to start?
#
# The usual answer: each sigmoid's slope is at most 1/4, so the gradient shrinks on its way back. True, but
# **Adam** divides each step by the size of that parameter's own gradient: a smaller gradient, the same step.

# %% [markdown] slide="notes"
# **Say:** "vanishing gradient" is the answer in most notes and books, and with plain SGD it does matter.
# Under Adam the first step is about `lr × sign(gradient)`, whatever the gradient's scale: the cell shows it.

# %% include="g = torch.randn(5, generator="

# %% [markdown]
# ### The cause is in the forward pass
#
# Near 0, $\sigma(z) \approx 1/2 + z/4$: every unit outputs about 0.5 *whatever the image*. Measure the part that
# depends on the image: each unit's standard deviation across 512 images, at initialisation.

# %% [markdown] slide="notes"
# **Say:** read the "logits" entries (and the last line: the ReLU network's are at least 85 times more
# image-dependent, over three seeds). The sigmoid network's scores hardly depend on the image at the start, so
# all it can learn at first is how frequent each class is, and the loss sits at ln 10. ReLU passes its active
# inputs with slope 1 and has no constant 0.5, so its scores depend on the image from the first step.

# %% include="def signal_per_layer("

# %% include="ratio = min("

# %% [markdown] slide="notes"
# **Say:** with plain SGD the small gradient matters as well (the step is `lr × gradient`): in the chapter, SGD
# leaves the sigmoid network at chance at every rate it tried. Batch normalisation (the batch-norm chapter,
# `notebooks/08_batch_norm.ipynb`) is another remedy.

# %% [markdown] minutes=4 core=true
# ## Inside the trained network: first-layer kernels
#
# The six 5×5 kernels of the loaded network's first convolution: red positive, blue negative.

# %% [markdown] slide="notes"
# **Ask:** what do they look like? (Some read as small edge or stroke detectors, a positive band beside a
# negative one at some angle, like the Sobel kernels of the cross-correlation chapter,
# `notebooks/01_cross_correlation.ipynb`; others are harder to read.) Nobody designed
# them: training found them.

# %% include="kernels = relu_net[0].weight"

# %% [markdown]
# ### Feature maps of one validation digit
#
# Each map is one channel: bright where its kernel found its pattern. ReLU sets every negative value to 0.

# %% [markdown] slide="notes"
# **Say:** the first layer's maps are still recognisably the digit, each highlighting other strokes; after the
# second block, 16 coarse maps of 10×10 say which strokes occur roughly where. **Ask:** why are so many pixels
# exactly zero (dark)? (ReLU.)

# %% slide="sub"
relu_net = relu_net.cpu().eval()
digit = x_val[0:1]
with torch.no_grad():
    maps_1 = relu_net[:2](digit)  # conv1 + ReLU
    maps_2 = relu_net[:5](digit)  # ... + pool + conv2 + ReLU
fig = plotting.show_feature_maps(maps_1, scale=1.3, title=f"validation image 0 (label {y_val[0].item()}): "
                                 "after conv1 + ReLU, 6 maps of 28×28")
fig = plotting.show_feature_maps(maps_2, scale=1.0, title="after conv2 + ReLU: 16 maps of 10×10")

# %% [markdown] slide="notes"
# **Say:** the first row is conv1's six maps of this digit; the grid below is conv2's sixteen maps of 10×10
# (pooled to 14×14, then trimmed by the unpadded 5×5 convolution). The explorer after the confusion matrix shows
# the first-layer maps of any validation digit.

# %% [markdown] minutes=3 core=true
# ## Which digits does it confuse?
#
# The loaded network on the 10,000 validation images: rows are the true digits, columns the predictions.

# %% [markdown] slide="notes"
# **Say:** the diagonal holds the correct answers, everything off it is a mistake. Let the class guess first.

# %% [markdown]
# ### Predict: which mistakes are the most frequent?
#
# True digit → predicted digit: name the pairs you expect.

# %% [markdown] slide="notes"
# **Answer:** the cell prints them. With the weights shipped now: 99 mistakes in 10,000; 4 → 9 and 5 → 6 (7 each),
# then 9 → 7 (6) and 2 → 7 (5). The other way round is rarer (9 → 4: 5, 6 → 5: 2, 7 → 9: 2, 7 → 2: 0).
# Common wrong answers: "1 and 7" or "6 and 0" as the top pair. Most guesses name digits that look alike when
# written quickly, which is the right idea, but every count off the diagonal is small.

# %%
val_logits, val_labels = training.predict(relu_net, data.TensorLoader(x_val, y_val, batch_size=1000))
cm = training.confusion_matrix(val_logits, val_labels)
off = (cm - torch.diag(cm.diag())).flatten()
counts, pairs = torch.sort(off, descending=True, stable=True)
print(f"{off.sum().item()} mistakes in 10,000; the most frequent (true → predicted: count): "
      + ", ".join(f"{p // 10} → {p % 10}: {c}" for c, p in zip(counts[:4].tolist(), pairs[:4].tolist(),
                                                                  strict=True)))
print("the other way round: " + ", ".join(f"{p % 10} → {p // 10}: {cm[p % 10, p // 10]}" for p in pairs[:4].tolist()))
wrong = (val_logits.argmax(dim=1) != val_labels).nonzero().flatten()
print(f"validation images it gets wrong, for the explorer: {', '.join(map(str, wrong[:8].tolist()))}, ...")

# %% [markdown] slide="notes"
# **Say:** the counts are not symmetric: a 5 read as 6 is a different mistake from a 6 read as 5 (second line).
# Open 4s look like 9s; a 5 with a closed loop looks like a 6.

# %% slide="sub"
fig = plotting.plot_confusion_matrix(cm)
fig.set_size_inches(5.0, 4.6)
fig.tight_layout()

# %% [markdown] slide="notes"
# **Say:** rows are the true digits, columns the predictions; the diagonal holds the correct answers. Every digit
# is right far more often than it is wrong. The chapter also shows the mistakes the network was most sure about;
# several are digits a person would hesitate over too.

# %% [markdown] minutes=2 core=true
# ## Explorer: what LeNet sees
#
# Slide through the validation images: the digit, the class probabilities (green right, red wrong) and the six
# first-layer maps, all from the loaded network.

# %% [markdown] slide="notes"
# **Do:** drag the slider to a few images, then type one of the mistakes' indexes that the confusion-matrix slide
# printed ("validation images it gets wrong"). The maps shown are conv1's output *before* the ReLU, so they have
# negative values too.

# %% include="explorer = DigitExplorer(" slide="sub"

# %% [markdown] slide="notes"
# **Ask:** when the network is wrong, is it also unsure? (Often, not always: look at the bar heights.)

# %% slide="skip"
state = explorer.compute(index=0)
assert state.label == y_val[0].item() and state.pred == val_logits[0].argmax().item()

# %% [markdown] minutes=3
# ## Pitfall: pool first, or activate first?
#
# Our notes say both orders work. With max pooling and ReLU, they are the same; with average pooling and a
# sigmoid, they are two different networks.

# %% [markdown] slide="notes"
# **Say:** ReLU never changes which of two numbers is larger, so taking the maximum and clipping at zero commute,
# and pooling first is cheaper (the ReLU then sees a quarter of the values). Averaging and a curved function do not
# commute: the cell prints how far apart the two orders are.

# %% include="z = torch.randn(8, 10, 24, 24)"

# %% [markdown] minutes=22
# ## In class: exercises
#
# In the student edition (`student/06_lenet.ipynb`), in pairs:
#
# 1. the course network on 32×32 images: what input size must its linear layer have?
# 2. the parameters of a LeNet with 12 channels in its first convolution;
# 3. `count_mistakes(cm)`: the wrong predictions in a confusion matrix;
# 4. run, then read: is a tanh LeNet's signal at the logits closer to the sigmoid or the ReLU network's?
# 5. write one epoch yourself.
#
# Each checker says "not yet" until you answer, then ✅ or a hint.

# %% [markdown] slide="notes"
# **Do:** about 3 minutes each for 1–3 (by hand first, then check), 5 for 4, 8 for 5. Hide the "one epoch"
# slides during exercise 5: the chapter asks for it without looking. Walk around; the hints name what is off
# without giving the answer. The answers are in the answer key (TEACHING.md).

# %% [markdown] minutes=2 core=true
# ## Summary
#
# * MNIST via `torchvision.datasets.MNIST`; train, choose on validation, test once.
# * LeNet: two conv → activation → pool blocks, then three linear layers; 28×28 → 400 features → 10 scores.
# * Most parameters sit in the first linear layer; most arithmetic in the convolutions.
# * One epoch: `train()`, forward, loss, `zero_grad`, `backward`, `step`; then `eval()` and `no_grad()`.
# * Sigmoid starts slowly: its outputs sit near 0.5 whatever the image. ReLU does not.
#
# The chapter: `notebooks/06_lenet.ipynb`. Next: GoogLeNet, many branches in one block.

# %% [markdown] slide="notes"
# **Say:** the chapter also trains d2l's `train_ch6` on the same loaders and shows how to save and reload weights
# safely (`weights_only=True`). Hand out the student edition (`student/`, see TEACHING.md).
