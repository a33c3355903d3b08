# %% [markdown]
# # 06 · LeNet: a whole convolutional network on real handwritten digits
#
# **What you will learn**
#
# 1. How to read MNIST through the standard `torchvision.datasets.MNIST` API, look at it, and compute its
#    normalisation constants yourself.
# 2. How d2l's simplified LeNet-5 is built (sigmoid and average pooling, and the modern variant with ReLU and max
#    pooling), how it differs from the 1998 original, how to read its layer-by-layer shape table, and where its
#    61,706 parameters sit.
# 3. Where the famous `Linear(320, 10)` of the classic course network comes from.
# 4. How to write one epoch of training yourself (train mode, steps, eval mode, no gradients, validation
#    accuracy), then train to more than 99 % test accuracy on a laptop CPU, with the training, validation and
#    test sets kept apart; why the sigmoid version is slow to start (it is not the gradient's size, under Adam);
#    and that `d2l.train_ch6` speaks the same language as this course's helpers.
# 5. How to move a model and its batches to a GPU correctly.
# 6. What the trained network has learned: its first-layer kernels, the feature maps of one digit, the confusion
#    matrix and its most confident mistakes.
# 7. How to save weights and load them back safely.
#
# Every number the text states is computed in a cell and checked in the folded "Checks for this section" cells
# (you can skip them). Training takes a few epochs on a 2-core laptop CPU; the training cells show a progress
# bar and live curves while they run.

# %%
import io
import math
import pickle

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torchvision import transforms

from helpers import checkpoints, checks, data, experiments, inspect, plotting, shipped, training
from helpers.widgets.lenet import DigitExplorer

# One torch thread per run: independent runs (sweeps, seeds) train side by side, one per CPU core, and give the
# same numbers whatever the number of cores of your computer.
torch.set_num_threads(1)
torch.set_printoptions(precision=4, sci_mode=False)
training.seed_everything(0)

# %% [markdown]
# ## The idea
#
# The earlier notebooks built the parts. A convolution finds a small pattern wherever it occurs; an activation keeps
# only the strong responses; pooling shrinks the map and makes the answer tolerant to small shifts; channels let a
# layer look for many patterns at once. LeNet stacks them: two rounds of *convolution → activation → pooling* turn
# a 28×28 picture into 16 maps of 5×5 values that say which strokes occur roughly where, and three fully connected
# layers turn those 400 numbers into 10 scores, one per digit. Each value of the first layer sees 5×5 pixels;
# after the second pooling each value summarises a 16×16 patch — large enough for a loop or a crossing. Training
# adjusts all the weights at once so that the right score wins. Each layer's *receptive field* (the patch one of
# its values sees) grows by $(k - 1)$ times the product of the strides before it:

# %%
receptive, jump, sizes = 1, 1, []
for kernel, stride in [(5, 1), (2, 2), (5, 1), (2, 2)]:  # conv1, pool1, conv2, pool2
    receptive, jump = receptive + (kernel - 1) * jump, jump * stride
    sizes.append(receptive)
print("receptive field after conv1, pool1, conv2, pool2:", sizes)

# %%
# Checks for this section (you can skip this cell)
assert sizes == [5, 6, 14, 16] and 16 * 5 * 5 == 400

# %% [markdown]
# ## 1. The data: MNIST through `torchvision.datasets.MNIST`
#
# MNIST holds 70,000 grey 28×28 pictures of handwritten digits (60,000 for training, 10,000 for testing), each
# with its label 0–9. `helpers.data.mnist_dataset` returns torchvision's own `MNIST` dataset, read offline from
# a copy the helpers prepare, so the code below is exactly what you would write with `download=True`.
# `transforms.ToTensor()` turns each picture into a float tensor of shape (1, 28, 28) with values in [0, 1].

# %%
train_set = data.mnist_dataset(train=True)  # = torchvision.datasets.MNIST(root, train=True, transform=ToTensor())
test_set = data.mnist_dataset(train=False)
image, label = train_set[0]
print(type(train_set).__module__ + "." + type(train_set).__name__, len(train_set), len(test_set))
print("one example:", tuple(image.shape), image.dtype, "label", label,
      f"pixel range [{image.min():.0f}, {image.max():.0f}]")

# %%
fig = plotting.show_images([train_set[i][0] for i in range(24)], nrows=3,
                           titles=[f"label {train_set[i][1]}" for i in range(24)], scale=1.1)

# %% [markdown]
# The ten classes are roughly balanced: every digit has between 5,421 and 6,742 training examples.

# %%
counts = torch.bincount(train_set.targets, minlength=10)
print("training examples per digit:", counts.tolist())

# %% [markdown]
# ### Normalisation constants, computed
#
# Networks train best when their inputs have mean 0 and standard deviation 1. MNIST pictures are mostly black
# background, so their pixels are far from that. The two numbers every MNIST tutorial copies, **0.1307** and
# **0.3081**, are simply the mean and standard deviation of all 60,000 × 784 training pixels (torchvision's training
# file, which also holds the 10,000 images we keep for validation below: pixel statistics only, no labels; over the
# 50,000 training images alone the two numbers change by less than 0.001):

# %%
pixels = train_set.data.float() / 255  # (60000, 28, 28): the raw bytes torchvision read, scaled as ToTensor does
mean, std = pixels.mean().item(), pixels.std().item()
print(f"mean {mean:.4f}, std {std:.4f} over {pixels.numel():,} training pixels")

# %% [markdown]
# `transforms.Normalize((0.1307,), (0.3081,))` subtracts the mean and divides by the standard deviation. A black
# background pixel (0) becomes $-0.1307 / 0.3081 = -0.4242$ and a white one $(1 - 0.1307) / 0.3081 = 2.8215$.
# The *test* set is normalised with the *training* constants: at test time we pretend we have never seen it.

# %%
normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((data.MNIST_MEAN,), (data.MNIST_STD,))])
train_normalized = data.mnist_dataset(train=True, transform=normalize)
x0 = train_normalized[0][0]
print(f"black -> {x0.min():.4f}, white -> {x0.max():.4f}")

# %% [markdown]
# Going through a `DataLoader` one picture at a time is slow on a CPU. The whole training set fits in memory
# (60,000 × 784 floats = 188 MB), so the helpers load it once as tensors, normalised exactly as above, and
# `data.TensorLoader` slices shuffled minibatches from them. Same numbers, many times faster.
#
# ### Three sets, three jobs
#
# MNIST's standard split cuts the 60,000 training images into **50,000 for training** and **10,000 for
# validation**. We train on the first; every choice (a learning rate, the number of epochs, which network is
# better) and every accuracy measured *during* training uses the second; the **10,000 test images** are touched
# once, at the very end, for the final model. A test accuracy that guided a choice is no longer an honest
# estimate of how the network does on new digits.

# %%
x_train, y_train = data.load_mnist(split="train")
x_val, y_val = data.load_mnist(split="val")
x_test, y_test = data.load_mnist(split="test")
print("x_train", tuple(x_train.shape), "x_val", tuple(x_val.shape), "x_test", tuple(x_test.shape))

# %%
# Checks for this section (you can skip this cell)
assert isinstance(train_set, torchvision.datasets.MNIST) and isinstance(test_set, torchvision.datasets.MNIST)
assert (len(train_set), len(test_set)) == (60_000, 10_000)
assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and label == 5
assert image.min() == 0 and image.max() == 1
assert counts.sum() == 60_000 and counts.min() == 5_421 and counts.max() == 6_742
assert round(mean, 4) == 0.1307 and round(std, 4) == 0.3081
assert (round(mean, 4), round(std, 4)) == (data.MNIST_MEAN, data.MNIST_STD)
assert round(x0.min().item(), 4) == -0.4242 and round((1 - data.MNIST_MEAN) / data.MNIST_STD, 4) == 2.8215
torch.testing.assert_close(x_train[:16], torch.stack([train_normalized[i][0] for i in range(16)]))
assert torch.equal(torch.cat([y_train, y_val]), train_set.targets)  # train + val = torchvision's 60,000
x_60k = torch.cat([x_train, x_val])
assert abs(x_60k.mean().item()) < 1e-3 and abs(x_60k.std().item() - 1) < 1e-3  # normalised with their own constants
assert abs(pixels[:50_000].mean() - mean) < 1e-3 and abs(pixels[:50_000].std() - std) < 1e-3  # the 50,000 alone
assert (len(x_train), len(x_val), len(x_test)) == (50_000, 10_000, 10_000)
assert 60_000 * 784 * 4 == 188_160_000  # bytes of the 60,000 training images as float32: 188 MB

# %% [markdown]
# ## 2. LeNet-5
#
# Yann LeCun's LeNet (1989–1998) was one of the first convolutional networks used in practice: it read
# handwritten digits on bank cheques. It has two parts:
#
# * a **convolutional encoder**: two blocks of convolution → activation → pooling (6, then 16 channels, 5×5
#   kernels; 2×2 pooling with stride 2 halves the height and width);
# * a **dense block**: three fully connected layers (120, 84, 10 units) on the flattened feature maps.
#
# We follow d2l, which writes **a simplified LeNet-5**: sigmoid activations and average pooling, a 28×28 input
# padded by the first convolution, and a plain linear output layer trained with cross-entropy. The 1998 network
# (LeCun, Bottou, Bengio and Haffner, *Gradient-based learning applied to document recognition*) differed in
# several ways:
#
# * **activations**: a scaled hyperbolic tangent, $1.7159 \tanh(2x/3)$, zero-centred, not the logistic sigmoid;
# * **subsampling layers S2 and S4 are trainable**: each map sums its 2×2 inputs, multiplies by a learned
#   coefficient, adds a learned bias and applies the squashing function (not a fixed average);
# * **a sparse connection table in C3**: each of the 16 maps of the second convolution reads only 3, 4 or all 6 of
#   S2's maps (60 connections instead of 96), to break symmetry and save weights;
# * **C5 is a convolution** (120 maps of 5×5 on a 5×5 input, so 1×1 outputs) on a **32×32** input (MNIST's 28×28
#   digits centred in a larger field), where d2l has a `Linear(400, 120)`;
# * **RBF output units**: each of the 10 outputs is the squared Euclidean distance between F6's 84 values and a
#   fixed 7×12 bitmap of its class (a stylised drawing of the digit), not a learned linear layer with softmax;
# * the **loss and optimiser**: a maximum-a-posteriori criterion on those distances, trained with a stochastic
#   diagonal Levenberg–Marquardt method (a per-weight step size from curvature estimates), not Adam.
#
# The modern variant swaps in ReLU and max pooling. One function builds both:

# %%
# @save
def lenet(activation: str = "relu", pooling: str | None = None) -> nn.Sequential:
    """d2l's simplified LeNet-5: 'sigmoid' (with average pooling, as d2l) or 'relu' (with max pooling)."""
    act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[activation]
    pooling = pooling or {"sigmoid": "avg", "relu": "max"}[activation]
    pool = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[pooling]
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), act(), pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), act(), pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, 10),
    )


# %%
table = inspect.layer_table(lenet("sigmoid"), (1, 1, 28, 28))
table

# %% [markdown]
# Read the `output` column from top to bottom: 28×28 (the first convolution pads by 2 to keep the size) →
# pooled to 14×14 → the 5×5 convolution without padding leaves 10×10 → pooled to 5×5 → flattened to
# 16 × 5 × 5 = 400 values → 120 → 84 → 10 class scores. The shapes shrink while the channels grow: a typical
# convolutional network trades resolution for features.

# %%
outputs = [row for row in table["output"]]
assert outputs[6] == (1, 400) and outputs[-1] == (1, 10)

# %% [markdown]
# ### Where the parameters are
#
# A convolution with $c_i$ input and $c_o$ output channels and a $k \times k$ kernel has $c_o c_i k^2$ weights
# plus $c_o$ biases; a linear layer from $n$ to $m$ units has $nm + m$. Activations, pooling and flattening have
# none.

# %%
per_layer = table[table["params"] > 0][["layer", "params", "mult_adds"]]
print(per_layer.to_string(index=False))
n_params = inspect.count_params(lenet("sigmoid"))
print(f"total: {n_params:,} parameters")

# %% [markdown]
# The modern variant has the same table with other layer names: ReLU and max pooling change no shape and add no
# parameter.

# %%
relu_table = inspect.layer_table(lenet("relu"), (1, 1, 28, 28))
relu_table

# %% [markdown]
# The first fully connected layer holds 78 % of the parameters; the two convolutions hold 4.2 % but do more than
# six times the multiply-adds of all linear layers together, because each kernel is applied at every position
# (`mult_adds` counts the bias additions too: 156 × 28 × 28 = 122,304 for the first convolution).

# %%
# Checks for this section (you can skip this cell)
assert outputs[0] == (1, 6, 28, 28) and outputs[2] == (1, 6, 14, 14)
assert outputs[3] == (1, 16, 10, 10) and outputs[5] == (1, 16, 5, 5)
assert inspect.conv_output_shape(14, 5) == (10, 10) and inspect.conv_output_shape(28, 5, padding=2) == (28, 28)
assert per_layer["params"].tolist() == [6 * 1 * 25 + 6, 16 * 6 * 25 + 16, 400 * 120 + 120, 120 * 84 + 84,
                                        84 * 10 + 10] == [156, 2416, 48120, 10164, 850]
assert n_params == table["params"].sum() == 61_706
conv_share = (156 + 2416) / n_params
assert round(48120 / n_params, 2) == 0.78 and round(conv_share, 3) == 0.042
# ...but the convolutions do most of the work: every weight is reused at every output position.
assert table["mult_adds"][0] == 156 * 28 * 28 == 122_304 and table["mult_adds"][3] == 2416 * 10 * 10
assert table["mult_adds"][[0, 3]].sum() > 6 * table["mult_adds"][[7, 9, 11]].sum()
assert relu_table["output"].tolist() == table["output"].tolist()
assert relu_table["params"].tolist() == table["params"].tolist() and inspect.count_params(lenet("relu")) == 61_706
assert relu_table["layer"][1] == "ReLU (1)" and relu_table["layer"][2] == "MaxPool2d (2)"

# %% [markdown]
# ## 3. The classic course network: where does 320 come from?
#
# Many PyTorch courses train this smaller network on MNIST: Conv(1→10, 5×5) → 2×2 max pool → ReLU →
# Conv(10→20, 5×5) → 2×2 max pool → ReLU → Linear(320 → 10). The 320 is not a free choice: it is what the
# encoder leaves. No padding, so each 5×5 convolution trims 4 pixels: 28 → 24 → (pool) 12 → 8 → (pool) 4, and
# 20 channels × 4 × 4 = **320**.

# %%
class CourseNet(nn.Module):
    """The classic course network: two conv + max-pool + ReLU blocks and one linear layer."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        return self.fc(x.flatten(1))  # (batch, 20, 4, 4) -> (batch, 320)


course_table = inspect.layer_table(CourseNet(), (1, 1, 28, 28))
course_table

# %%
assert course_table["input"].iloc[-1] == (1, 320) and 20 * 4 * 4 == 320

# %%
# Checks for this section (you can skip this cell)
assert course_table["output"].tolist() == [(1, 10, 24, 24), (1, 10, 12, 12), (1, 20, 8, 8), (1, 20, 4, 4),
                                           (1, 10)]
side = 28
for kernel in (5, 2, 5, 2):  # conv, pool, conv, pool
    side = inspect.conv_output_size(side, kernel, stride=1 if kernel == 5 else 2)
assert side == 4
assert inspect.count_params(CourseNet()) == 260 + 5020 + 3210 == 8_490

# %% [markdown]
# ## 4. Training
#
# ### Device handling
#
# A model runs where its parameters are. On a machine with an NVIDIA GPU, `torch.cuda.is_available()` is true
# and we move the model there once; then **every batch** must go to the same device before the forward pass.
# `model.to(device)` moves a module *in place*; `x.to(device)` returns a *new* tensor, so it must be assigned.
# `training.try_device()` is the usual one-liner, `torch.device("cuda" if torch.cuda.is_available() else "cpu")`,
# except that the environment variable `CONVNETS_DEVICE` can pin a device: the course's tests pin the CPU, so the
# numbers printed below are the same on every machine.
#
# ### One epoch, written out
#
# Before `helpers.training.fit` takes over, here is everything it does, written out for one epoch. Read it, then
# run it:
#
# * `model.train()` puts the model in training mode (layers such as dropout and batch normalisation behave
#   differently in training; LeNet has none, but the habit costs nothing);
# * for each shuffled minibatch: move it to the model's device, forward, loss, `zero_grad`, `backward`, `step`;
# * then `model.eval()` and `torch.no_grad()` (no graph is recorded: faster, less memory) to measure the accuracy
#   on the **validation** images.

# %%
device = training.try_device()


def train_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One minibatch step; the batch is moved to wherever the model's parameters live."""
    model_device = next(model.parameters()).device
    x, y = x.to(model_device), y.to(model_device)  # assign! Tensor.to is not in place
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1000) -> float:
    """Accuracy of `model` on (x, y): eval mode, no gradients, batch by batch."""
    model.eval()
    model_device = next(model.parameters()).device
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(x[i:i + batch_size].to(model_device))
            correct += (logits.argmax(dim=1).cpu() == y[i:i + batch_size]).sum().item()
    return correct / len(x)


def train_loader(seed: int = 0, n: int | None = None) -> data.TensorLoader:
    """Shuffled minibatches of 128 of the first `n` training images (all 50,000 by default); same seed, same order."""
    return data.TensorLoader(x_train[:n], y_train[:n], batch_size=128, shuffle=True, seed=seed)


# %%
training.seed_everything(0)
relu_net = lenet("relu").to(device)  # Module.to moves the parameters in place (and returns the module)
optimizer = torch.optim.Adam(relu_net.parameters(), lr=2e-3)
epoch_losses = []
relu_net.train()
for x, y in train_loader(seed=0):  # one epoch: every training image once
    epoch_losses.append(train_step(relu_net, x, y, optimizer))
val_acc_epoch_1 = evaluate(relu_net, x_val, y_val)  # model.eval() and torch.no_grad() inside
relu_net.train();  # back to training mode (the ; keeps the network's description off the page)

# %%
# NBVAL_IGNORE_OUTPUT
# The device depends on the machine: "cpu" on a laptop, "cuda" with an NVIDIA GPU.
print("trained on", device)

# %%
# NBVAL_IGNORE_OUTPUT
print(f"{len(epoch_losses)} steps; loss {epoch_losses[0]:.2f} at the first step, "
      f"{sum(epoch_losses[-50:]) / 50:.2f} over the last 50; validation accuracy {val_acc_epoch_1:.3f}")
assert abs(epoch_losses[0] - math.log(10)) < 0.1  # a fresh classifier guesses: loss ≈ ln 10

# %%
# Checks for this section (you can skip this cell)
assert next(relu_net.parameters()).device.type == device.type
assert len(epoch_losses) == 391 == math.ceil(50_000 / 128)
assert val_acc_epoch_1 > 0.95  # one epoch is enough for most digits
all_val = data.TensorLoader(x_val, y_val, batch_size=1000)
assert abs(val_acc_epoch_1 - training.evaluate_accuracy(relu_net, all_val)) < 1e-6  # fit's evaluation agrees

# %% [markdown]
# ### `fit` takes over: 99 % on the test set
#
# `training.fit` runs the same loop, with a progress bar and live curves. It continues the same network and the
# same Adam optimiser for three more epochs at learning rate 0.002, then one epoch at a ten times smaller rate to
# settle into the minimum (the same optimiser object, so Adam keeps its memory). Every 25 steps it measures the
# accuracy on 1,000 validation images (cheap enough to repeat often) to draw the green curve; after each epoch it
# measures it again (red squares). The learning rate and the number of epochs were chosen, when this notebook was
# written, from validation curves like these ones, never from the test set. Two things differ from your loop above. The
# notebook keeps torch to one thread (see the imports) so that the experiments below can train runs side by side, one
# per core; this run trains alone, so `training.torch_threads` lets it use every core (its numbers may then differ
# slightly between computers with different numbers of cores). And on a CPU, `fit` switches the convolution weights to
# PyTorch's *channels-last* memory layout (the same numbers, stored with each pixel's channel values next to each other)
# while it trains, then back: oneDNN, the library usually behind PyTorch's CPU convolutions, runs convolutions faster in
# that layout. The results differ from your loop's by rounding only.

# %%
val_1k = data.TensorLoader(x_val[:1000], y_val[:1000], batch_size=1000)
val_loader = data.TensorLoader(x_val, y_val, batch_size=1000)
test_loader = data.TensorLoader(x_test, y_test, batch_size=1000)

# %%
# NBVAL_IGNORE_OUTPUT
with training.torch_threads(experiments.cpu_workers()):  # this run trains alone: every core works on it
    hist_relu = training.fit(relu_net, train_loader(seed=1), val_1k, epochs=3, optimizer=optimizer, eval_every=25,
                             log_every=5, title="LeNet (ReLU, max pool), Adam lr 0.002, epochs 2-4")
    for group in optimizer.param_groups:
        group["lr"] = 2e-4
    hist_relu_2 = training.fit(relu_net, train_loader(seed=2), val_loader, epochs=1, optimizer=optimizer,
                               log_every=5, title="one more epoch at lr 0.0002")

# %%
# For the slide deck (you can skip this cell): it loads these results instead of training in class.
# Its final validation accuracy measured 0.990 to 0.991 on five machine/torch set-ups (the checks below); the
# tolerance, 0.003 (30 of the 10,000 validation images), is above that spread.
shipped.ship("06_lenet", {"val_acc": hist_relu_2.val_acc[-1]}, tolerance=0.003,
             model=relu_net.state_dict(), history=hist_relu, history_2=hist_relu_2)

# %%
# Checks for this section (you can skip this cell)
# After epoch 4, on 1,000 validation images: 0.979 to 0.983 measured on five machine/torch set-ups (one image = 0.001)
assert hist_relu.epoch_step == [391, 782, 1173] and hist_relu.val_acc[-1] > 0.97, hist_relu.val_acc
assert hist_relu_2.epoch_step == [391], hist_relu_2.epoch_step
assert hist_relu_2.train_acc[-1] > 0.99, hist_relu_2.train_acc  # measured 0.9948 to 0.9949
assert hist_relu_2.val_acc[-1] > 0.985, hist_relu_2.val_acc  # measured 0.990 to 0.991

# %%
# NBVAL_IGNORE_OUTPUT
print(f"validation accuracy after 5 epochs (10,000 images): {hist_relu_2.val_acc[-1]:.3f}")

# %% [markdown]
# Training is over and no more choices depend on it, so now, **once**, the test set. We keep its predictions and
# reuse them below (confusion matrix, mistakes) instead of running the test images again.

# %%
# NBVAL_IGNORE_OUTPUT
test_logits, test_labels = training.predict(relu_net, test_loader)  # the one time this model sees the test set
test_acc = training.accuracy(test_logits, test_labels)
print(f"test accuracy on all 10,000 test images: {test_acc:.3f}")
assert test_acc >= 0.99, test_acc

# %% [markdown]
# ### The sigmoid LeNet: slow to start. Why?
#
# These are d2l's two variants, and they differ in two places: the activation (sigmoid or ReLU) *and* the pooling
# (average or max). The training runs below compare the two variants as d2l defines them; the gradient measurement
# further down tries each activation with both poolings, and there the activation, not the pooling, makes the big
# difference.
#
# A fair comparison gives both networks the same data in the same order, the same number of steps and the same
# optimiser, each at **its own** best learning rate, and repeats it over several seeds. `short_run` trains a fresh
# network for 150 steps of 128 training images and returns the history, with the accuracy on 2,000 validation
# images at the end. The runs are independent, so `experiments.run_all` trains them side by side, one per CPU
# core; each builds its network with `training.seeded_model(make, seed)`, so it computes the same numbers
# whether it runs alone or beside others. First a small learning-rate sweep with Adam (seed 0), judged on
# validation (seed 0 at the best rate is reused below):

# %%
# NBVAL_IGNORE_OUTPUT
val_2k = data.TensorLoader(x_val[:2000], y_val[:2000], batch_size=1000)
ACTIVATIONS = ("relu", "sigmoid")


def short_run(activation: str, optimizer: type[torch.optim.Optimizer], lr: float, seed: int,
              steps: int = 150) -> training.History:
    """A fresh d2l LeNet trained for `steps` minibatches (the seed fixes the weights and the order)."""
    net = training.seeded_model(lambda: lenet(activation), seed)
    return training.fit(net, train_loader(seed, n=steps * 128), val_2k, epochs=1, optimizer=optimizer, lr=lr,
                        log_every=5, live=False, device=device)


def sweep(optimizer: type[torch.optim.Optimizer], lrs: tuple[float, ...]) -> tuple[dict, dict, dict]:
    """Seed 0 of each activation at each learning rate, side by side; prints the validation accuracies, returns the
    best lr of each activation (the smallest one on a tie), the accuracies and the histories."""
    grid = [(a, lr) for a in ACTIVATIONS for lr in lrs]
    histories = dict(zip(grid, experiments.run_all(short_run, [(a, optimizer, lr, 0) for a, lr in grid]), strict=True))
    acc = {key: h.val_acc[-1] for key, h in histories.items()}
    print(f"{optimizer.__name__:>8} lr:" + "".join(f"{lr:>8g}" for lr in lrs))
    for a in ACTIVATIONS:
        print(f"{a:>12}:" + "".join(f"{acc[a, lr]:8.3f}" for lr in lrs))
    return {a: max(lrs, key=lambda lr: acc[a, lr]) for a in ACTIVATIONS}, acc, histories


def seeds_at(optimizer: type[torch.optim.Optimizer], best: dict[str, float],
             swept: dict[tuple[str, float], training.History]) -> dict[str, list[training.History]]:
    """Each activation at its own best learning rate, seeds 0 (from the sweep), 1 and 2; prints each seed and the
    spread."""
    more = iter(experiments.run_all(short_run, [(a, optimizer, best[a], s) for a in ACTIVATIONS for s in (1, 2)]))
    runs = {a: [swept[a, best[a]], next(more), next(more)] for a in ACTIVATIONS}
    for a, hs in runs.items():
        accs = [h.val_acc[-1] for h in hs]
        print(f"{optimizer.__name__} {a:>8} at lr {best[a]:g}: validation accuracy per seed "
              f"{', '.join(f'{v:.3f}' for v in accs)}  (mean {sum(accs) / 3:.3f}, range {max(accs) - min(accs):.3f})")
    return runs


ADAM_LRS = (5e-4, 2e-3, 8e-3, 3.2e-2)  # factors of 4
best_adam, adam_sweep, adam_histories = sweep(torch.optim.Adam, ADAM_LRS)

# %% [markdown]
# Both networks do best at 0.008, inside the grid: at a four times smaller rate both end lower, and at a four
# times larger one, 0.032, training blows up and both end at chance (about one digit in ten). Now three seeds at
# each network's own best rate:

# %%
# NBVAL_IGNORE_OUTPUT
adam_runs = seeds_at(torch.optim.Adam, best_adam, adam_histories)
adam_acc = {a: [h.val_acc[-1] for h in hs] for a, hs in adam_runs.items()}
assert min(adam_acc["relu"]) > max(adam_acc["sigmoid"])  # every ReLU seed beats every sigmoid seed

# %%
LN10 = math.log(10)


def plateau_steps(h: training.History) -> int:
    """The first logged step at which the training loss is 0.1 below ln 10 (uniform guessing)."""
    return next((s for s, loss in zip(h.step, h.step_loss, strict=True) if loss < LN10 - 0.1), h.step[-1] + 1)


fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained", sharey=True)
for ax, a in zip(axes, ACTIVATIONS, strict=True):
    for seed, h in enumerate(adam_runs[a]):
        ax.plot(h.step, h.step_loss, label=f"seed {seed}")
    ax.axhline(LN10, color="grey", ls=":", lw=1)
    ax.set_title(f"{a} LeNet, Adam lr {best_adam[a]:g} (dotted: ln 10, pure guessing)", fontsize=10)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
    ax.legend()
axes[0].set_ylabel("training loss");

# %%
# NBVAL_IGNORE_OUTPUT
plateau = {a: [plateau_steps(h) for h in hs] for a, hs in adam_runs.items()}
print("steps until the loss leaves ln 10 (per seed):", plateau)
assert min(plateau["sigmoid"]) > max(plateau["relu"])

# %% [markdown]
# At its own best learning rate, on the same 150 minibatches, every seed of the ReLU network ends above every
# seed of the sigmoid one on validation (the per-seed numbers above), and the sigmoid network's loss sits on
# ln 10 ≈ 2.303 — the loss of a uniform guess over 10 classes — for longer on every seed.
#
# **The usual explanation, and why it does not fit here.** On its way back, the gradient is multiplied by the
# slope of every activation it passes. The sigmoid's slope is at most 1/4 (at 0), and LeNet has four sigmoids
# between the loss and the first convolution, so they scale the gradient by at most $(1/4)^4 = 1/256$. That is
# true, and measurable:

# %%
def first_layer_grad_norm(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Norm of the loss gradient with respect to the first convolution's weight."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return model[0].weight.grad.norm().item()


xb, yb = x_train[:256], y_train[:256]
grad = {}
for act in ACTIVATIONS:
    for pooling in ("max", "avg"):
        training.seed_everything(0)
        grad[act, pooling] = first_layer_grad_norm(lenet(act, pooling), xb, yb)
        print(f"first-layer gradient norm at init, {act:7} + {pooling} pool: {grad[act, pooling]:.2e}")
assert all(grad["relu", p] > 50 * grad["sigmoid", p] for p in ("max", "avg"))  # the activation: 50x or more

# %% [markdown]
# But both runs above use **Adam**, and Adam divides each parameter's step by the running size of that
# parameter's own gradient: early on its step is about `lr × sign(gradient)`, whatever the gradient's scale. A
# gradient 256 times smaller gives (almost) the same Adam step:

# %%
g = torch.randn(5, generator=torch.Generator().manual_seed(0))
after = {}
for scale in (1.0, 1 / 256):
    p = torch.zeros(5, requires_grad=True)
    adam_step = torch.optim.Adam([p], lr=1e-3)
    p.grad = g * scale
    adam_step.step()
    after[scale] = p.detach()
print("Adam's first step, gradient g:      ", after[1.0])
print("Adam's first step, gradient g / 256:", after[1 / 256])
torch.testing.assert_close(after[1.0], after[1 / 256], rtol=1e-4, atol=0)
torch.testing.assert_close(after[1.0].abs(), torch.full((5,), 1e-3), rtol=1e-4, atol=0)  # lr × sign(g)

# %% [markdown]
# So under Adam the small gradient is not the cause. The cause is in the **forward** pass. Near 0 the sigmoid
# is $\sigma(z) \approx 1/2 + z/4$: every unit outputs about 0.5 *whatever the image*, plus a part that depends on
# the image, shrunk by 4. That constant 0.5 is not zero-centred; the next layer turns it into yet another
# constant, and only the image-dependent part carries information about the digit. Measure that part directly:
# for each layer, the standard deviation **across images** of each unit's output, averaged over the units, on
# 512 training images at initialisation (three seeds).

# %%
def signal_per_layer(model: nn.Sequential, x: torch.Tensor) -> dict[str, tuple[float, float]]:
    """{layer: (std across images of each unit's output averaged over units, mean output)} after each activation."""
    out, names = {}, iter(["conv1", "conv2", "fc1", "fc2"])
    with torch.no_grad():
        for i, layer in enumerate(model):
            x = layer(x)
            if isinstance(layer, (nn.Sigmoid, nn.ReLU, nn.Tanh)) or i == len(model) - 1:
                out[next(names, "logits")] = (x.std(dim=0).mean().item(), x.mean().item())
    return out


signal = {}
for act in ACTIVATIONS:
    for seed in (0, 1, 2):
        training.seed_everything(seed)
        signal[act, seed] = signal_per_layer(lenet(act), x_train[:512])
for act in ACTIVATIONS:
    s = signal[act, 0]
    print(f"{act:>8}, seed 0: " + ", ".join(f"{k} {v[0]:.1e} (mean {v[1]:.2f})" for k, v in s.items()))

# %%
ratio = min(signal["relu", s]["logits"][0] / signal["sigmoid", s]["logits"][0] for s in (0, 1, 2))
print(f"at the logits, the ReLU net's input-dependent signal is at least {ratio:.0f}x the sigmoid net's")

# %% [markdown]
# Through the sigmoid network the image-dependent signal shrinks at every layer (by roughly the slope 1/4 times
# the weights' own shrinking), while every unit's mean stays near 0.5; at the logits it is tens of times smaller
# than in the ReLU network. The sigmoid net's logits start out **nearly the same for every image**, so at first
# the only thing it can learn is the class frequencies: the loss sits at ln 10. It leaves the plateau once
# training has grown the weights enough to amplify the image-dependent part. ReLU passes its active inputs with
# slope 1 and has no fixed offset of 0.5, so its logits depend on the image from the first step.
#
# **With plain SGD the gradient's size does matter**, since the step is `lr × gradient`: a first layer whose
# gradient is 50 times smaller moves 50 times less. The same 150 steps with SGD, a small sweep for each network,
# then three seeds at the best rate:

# %%
# NBVAL_IGNORE_OUTPUT
SGD_LRS = (0.03, 0.1, 0.3, 1.0, 3.0)
best_sgd, sgd_sweep, sgd_histories = sweep(torch.optim.SGD, SGD_LRS)

# %% [markdown]
# The ReLU network does best at 0.1, inside the grid (0.03 is too slow; at 3.0 training blows up). The sigmoid
# network stays at chance, about one digit in ten, at **every** rate tried, from 0.03 to 3.0: within 150 steps
# plain SGD never gets it off the plateau, so its "best" rate (the smallest of the tied ones) is arbitrary.

# %%
# NBVAL_IGNORE_OUTPUT
sgd_runs = seeds_at(torch.optim.SGD, best_sgd, sgd_histories)
sgd_acc = {a: [h.val_acc[-1] for h in hs] for a, hs in sgd_runs.items()}
assert min(sgd_acc["relu"]) > max(sgd_acc["sigmoid"])
assert max(adam_acc["sigmoid"]) - max(sgd_acc["sigmoid"]) > max(adam_acc["sigmoid"]) - min(adam_acc["sigmoid"])

# %% [markdown]
# With SGD the sigmoid network does worse still than with Adam (by more than Adam's seed-to-seed range), while the ReLU
# network learns with either. Two effects, then: the input-dependent signal fading in the forward pass (which slows the
# sigmoid network under any optimiser), and the gradient fading on the way back (which Adam largely undoes). With SGD we
# can only say that no rate up to 3.0 got the sigmoid network off chance in 150 steps: its first-layer gradient starts
# dozens to hundreds of times smaller than the ReLU network's (measured above), so its best SGD rate may lie above this
# grid, which we did not search. This is one reason almost every network since 2012 uses ReLU; the BatchNorm notebook
# adds another remedy, batch normalisation, which re-centres and rescales every layer's inputs.

# %% [markdown]
# ### The same network with `d2l.train_ch6`
#
# If you follow *Dive into Deep Learning*, its `train_ch6` trains a network with SGD and draws an animated plot.
# It accepts the course's `TensorLoader`s as they are, because both sides only need "an iterable of
# (images, labels) batches with a length". Two epochs on 10,000 training images (d2l's plot and printout call the
# second loader "test"; here it is 1,000 *validation* images, so its "test acc" is a validation accuracy):

# %%
# NBVAL_IGNORE_OUTPUT
from d2l import torch as d2l  # noqa: E402
from matplotlib_inline.backend_inline import set_matplotlib_formats  # noqa: E402

training.seed_everything(0)
d2l_net = lenet("relu")
d2l_train = data.TensorLoader(x_train[:10_000], y_train[:10_000], batch_size=256, shuffle=True, seed=0)
d2l.train_ch6(d2l_net, d2l_train, val_1k, num_epochs=2, lr=0.1, device=device)  # d2l.try_gpu() in d2l
set_matplotlib_formats("png")  # d2l switched the notebook's figures to SVG; switch back

# %%
d2l_acc = d2l.evaluate_accuracy_gpu(d2l_net, val_1k)
assert abs(d2l_acc - training.evaluate_accuracy(d2l_net, val_1k)) < 1e-6  # same number from both libraries

# %%
# Checks for this section (you can skip this cell)
sigmoid_slope = torch.sigmoid(torch.zeros(1)) * (1 - torch.sigmoid(torch.zeros(1)))
assert sigmoid_slope.item() == 0.25 and 0.25 ** 4 == 1 / 256
assert sum(isinstance(m, nn.Sigmoid) for m in lenet("sigmoid").modules()) == 4
assert all(1 < grad[a, "max"] / grad[a, "avg"] < 3 for a in ACTIVATIONS)  # the pooling: under 3x
for seed in (0, 1, 2):
    sig, rel = signal["sigmoid", seed], signal["relu", seed]
    assert all(abs(sig[k][1] - 0.5) < 0.05 for k in ("conv1", "conv2", "fc1", "fc2"))  # every sigmoid ≈ 0.5
    stds = [v[0] for v in sig.values()]
    assert all(b < a for a, b in zip(stds, stds[1:], strict=False))  # shrinks layer by layer
    assert sig["logits"][0] < rel["logits"][0] / 30  # the logits: 30x (and more) less input-dependent
assert best_adam == {"relu": 8e-3, "sigmoid": 8e-3}  # inside the grid, not at its edge
assert all(adam_sweep[a, 8e-3] > adam_sweep[a, 2e-3] for a in ACTIVATIONS)
assert all(adam_sweep[a, 3.2e-2] < 0.11 for a in ACTIVATIONS)  # diverged: chance
assert best_sgd["relu"] == 0.1 and sgd_sweep["relu", 0.1] > max(sgd_sweep["relu", 0.03], sgd_sweep["relu", 0.3])
assert all(sgd_sweep["sigmoid", lr] < 0.11 for lr in SGD_LRS)  # chance at every rate tried
assert sgd_sweep["relu", 3.0] < 0.11  # diverged
assert d2l_acc > 0.8

# %% [markdown]
# ## 5. Inside the trained network
#
# ### First-layer kernels
#
# The six 5×5 kernels of the first convolution, red positive and blue negative. Many look like small edge or
# stroke detectors: a positive band beside a negative one, at some orientation (compare the Sobel kernels of
# the cross-correlation notebook).

# %%
kernels = relu_net[0].weight.detach().cpu()
fig = plotting.show_kernels(kernels, scale=1.3)

# %% [markdown]
# ### Feature maps of one digit
#
# Feed one validation digit through the first block (convolution + ReLU) and the second. Each map is one channel:
# bright where its kernel found its pattern. ReLU sets everything negative to exactly 0, so the maps are sparse.

# %%
relu_net = relu_net.cpu().eval()
digit = x_val[0:1]
with torch.no_grad():
    maps_1 = relu_net[:2](digit)  # conv1 + ReLU
    maps_2 = relu_net[:5](digit)  # ... + pool + conv2 + ReLU
fig = plotting.show_images([digit[0]], titles=[f"validation image 0 (label {y_val[0].item()})"], scale=2.0)
fig = plotting.show_feature_maps(maps_1, scale=1.6, title="after conv1 + ReLU: 6 maps of 28×28")
fig = plotting.show_feature_maps(maps_2, title="after conv2 + ReLU: 16 maps of 10×10")

# %% [markdown]
# ### Confusion matrix and the most confident mistakes
#
# On the test set, from the predictions made once above. Rows are the true digits, columns the predictions;
# the diagonal holds the correct answers. Everything off the
# diagonal is a mistake, and most mistakes are between digits that look alike when written quickly.

# %%
logits, labels = test_logits, test_labels  # the test predictions made once, above
cm = training.confusion_matrix(logits, labels)
fig = plotting.plot_confusion_matrix(cm)

# %% [markdown]
# The mistakes the network was *most sure* about are instructive: many are digits a person would also hesitate
# over, and a few look mislabelled.

# %%
probs = logits.softmax(dim=1)
confidence, predicted = probs.max(dim=1)
wrong = torch.nonzero(predicted != labels).flatten()
worst = wrong[confidence[wrong].argsort(descending=True)][:12]
fig = plotting.show_images(
    [x_test[i] for i in worst], nrows=2,
    titles=[f"true {labels[i]} → {predicted[i]}\n{confidence[i]:.0%} sure" for i in worst], scale=1.4)

# %%
# Checks for this section (you can skip this cell)
assert kernels.shape == (6, 1, 5, 5)
assert maps_1.shape == (1, 6, 28, 28) and maps_2.shape == (1, 16, 10, 10)
assert (maps_1 >= 0).all() and (maps_1 == 0).float().mean() > 0.2  # ReLU: non-negative, many exact zeros
assert cm.sum() == 10_000 and cm.shape == (10, 10)
assert torch.equal(cm.sum(dim=1), torch.bincount(y_test, minlength=10))  # each row = one digit's test images
assert abs(cm.trace().item() / 10_000 - test_acc) < 1e-6  # the diagonal is the accuracy
off_diagonal = cm - torch.diag(cm.diag())
assert off_diagonal.max() < 0.02 * cm.sum(dim=1).min()  # no pair of digits is confused often
assert len(wrong) == off_diagonal.sum() and len(worst) == 12
assert (predicted[worst] != labels[worst]).all()
assert (confidence[worst][:-1] >= confidence[worst][1:]).all()  # sorted, most confident first

# %% [markdown]
# ## 6. Save and reload the weights
#
# A model's learned numbers live in its `state_dict()`: an ordered dictionary from parameter names to tensors
# (plus buffers, none here). Save that, not the model object. `helpers.checkpoints.save_weights` writes it under
# `data/weights/` (to reload in a later session, or in your own script), and `load_weights` reads it back with
# `torch.load(..., weights_only=True)`, which only accepts tensors and plain containers.

# %%
path = checkpoints.save_weights(relu_net, "lenet_relu")
print(path.relative_to(data.data_dir()))
state = torch.load(path, map_location="cpu", weights_only=True)
print({name: tuple(t.shape) for name, t in state.items()})

# %%
reloaded = lenet("relu")
loaded = checkpoints.load_weights(reloaded, "lenet_relu")
val_logits, _ = training.predict(relu_net, val_loader)
reloaded_logits, _ = training.predict(reloaded, val_loader)  # checked on validation: the test set stays unused
print("same predictions on all 10,000 validation images:",
      torch.equal(reloaded_logits.argmax(1), val_logits.argmax(1)))

# %%
# Checks for this section (you can skip this cell)
assert path.name == "lenet_relu.pt" and list(state) == [
    "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"]
assert loaded
assert torch.equal(reloaded_logits.argmax(1), val_logits.argmax(1))
torch.testing.assert_close(reloaded_logits, val_logits)

# %% [markdown]
# ## 7. Explorer: what LeNet sees
#
# Move the slider through the 10,000 validation images: the digit, the predicted class probabilities (green: right,
# red: wrong) and the six first-layer feature maps.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = DigitExplorer(relu_net, x_val, y_val, name="validation image")
explorer

# %%
# Checks for this section (you can skip this cell)
state = explorer.compute(index=0)
assert state.label == y_val[0].item() and state.pred == val_logits[0].argmax().item()
torch.testing.assert_close(state.probs, val_logits[0].softmax(dim=0))
assert state.maps.shape == (6, 28, 28) and abs(state.probs.sum().item() - 1) < 1e-5
torch.testing.assert_close(state.maps, relu_net[0](x_val[0:1])[0].detach())  # conv1's output, before ReLU

# %% [markdown]
# For readers without a running kernel: the network's most confident mistake on the validation images.

# %%
val_confidence, val_predicted = val_logits.softmax(dim=1).max(dim=1)
val_wrong = torch.nonzero(val_predicted != y_val).flatten()
fig = explorer.static_figure(index=val_wrong[val_confidence[val_wrong].argmax()].item())

# %% [markdown]
# ## Pitfalls
#
# **Pitfall 1: "`model.to(device)` moved everything."** A learner's MNIST script moves the model to the GPU but
# never its batches. On a CPU-only laptop nothing fails — model and data are both on the CPU — and on the first
# GPU machine the forward pass raises "Expected all tensors to be on the same device". (The same note spells the
# check `torch.cuda is available()`: a `NameError` on every machine, so the first run catches that one; the
# missing `.to(device)` is the bug that hides.) The trap is the asymmetry: `Module.to` changes the module in
# place, `Tensor.to` returns a new tensor. Dtypes follow the same rule, so we can see it on any machine:

# %%
layer = nn.Linear(4, 2)
x = torch.randn(3, 4)
layer.to(torch.float64)  # in place: the layer's parameters are now float64
x.to(torch.float64)  # returns a float64 copy... which we threw away
print("layer:", layer.weight.dtype, "| x:", x.dtype)
assert layer.weight.dtype == torch.float64 and x.dtype == torch.float32
try:
    layer(x)
except RuntimeError as err:
    print("RuntimeError:", str(err).splitlines()[0])
x = x.to(torch.float64)  # the fix: assign the result

# %% [markdown]
# **Pitfall 2: "my network has a forward method."** The same script names it `_forward`. `nn.Module.__call__`
# looks for `forward`, so the model is built without complaint and fails only when called:

# %%
class TypoNet(CourseNet):
    """CourseNet with the forward method misnamed."""

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x)


TypoNet.forward = nn.Module.forward  # what a subclass without `forward` inherits
try:
    TypoNet()(x_val[:2])
except NotImplementedError as err:
    print("NotImplementedError:", err)
    typo_message = str(err)

# %% [markdown]
# **Pitfall 3: "convolution → pooling → activation or convolution → activation → pooling, same thing."** The
# course network pools *before* its ReLU. With max pooling that is exactly equivalent (taking the max and
# clipping at zero commute, because ReLU never changes the order of two numbers) and it is 4× cheaper (ReLU on a
# quarter of the values: 2×2 pooling keeps one value in four). With average pooling and a non-linear activation,
# it is a different network:

# %%
torch.manual_seed(0)
z = torch.randn(8, 10, 24, 24)  # a batch of conv outputs
assert torch.equal(F.relu(F.max_pool2d(z, 2)), F.max_pool2d(F.relu(z), 2))  # max pool: order does not matter
gap = (torch.sigmoid(F.avg_pool2d(z, 2)) - F.avg_pool2d(torch.sigmoid(z), 2)).abs().max().item()
print(f"sigmoid vs average pooling: largest difference between the two orders {gap:.3f}")

# %% [markdown]
# **Pitfall 4: "normalise the test set with its own mean and standard deviation."** Then the same picture gets
# different numbers depending on which set it is in, and you have peeked at the test data. Normalise everything
# with the *training* constants. The test set's own statistics are close but not equal:

# %%
test_pixels = test_set.data.float() / 255
print(f"test pixels: mean {test_pixels.mean():.4f}, std {test_pixels.std():.4f}")

# %% [markdown]
# **Pitfall 5: "save the whole model with `torch.save(model)`."** That pickles Python objects; loading it needs
# the same class code and runs arbitrary code from the file, so `torch.load(..., weights_only=True)` (PyTorch's
# default since 2.6) refuses it. Save the `state_dict`:

# %%
buffer = io.BytesIO()
torch.save(relu_net, buffer)  # the whole module object
buffer.seek(0)
try:
    torch.load(buffer, weights_only=True)
    refused = False
except pickle.UnpicklingError:
    refused = True
print("weights_only=True refused the pickled model:", refused)

# %%
# Checks for this section (you can skip this cell)
assert layer(x).dtype == torch.float64
assert "forward" in typo_message
assert z.numel() == 4 * F.max_pool2d(z, 2).numel()  # pooling first: the ReLU sees a quarter of the values
assert torch.equal(torch.sigmoid(F.max_pool2d(z, 2)), F.max_pool2d(torch.sigmoid(z), 2))  # any rising function
assert gap > 0.05
assert round(test_pixels.mean().item(), 4) == 0.1325 and round(test_pixels.std().item(), 4) == 0.3105
assert refused

# %% [markdown]
# ## Exercises
#
# Each exercise has a checker. Replace `None` with your answer and run the cell: a wrong answer raises an error
# that says what was expected. The solutions are folded below each exercise (click to expand).
#
# **Exercise 1.** Feed the classic course network 32×32 images instead of 28×28. What input size must its
# linear layer then have? (Work it out by hand: 5×5 convolutions without padding, 2×2 pooling.)

# %%
def course_flatten_size(side: int) -> int:
    """What the course network's encoder produces per image for side×side inputs, measured."""
    net = CourseNet()
    with torch.no_grad():
        x = torch.zeros(1, 1, side, side)
        return net.pool(net.conv2(net.pool(net.conv1(x)))).numel()


answer_1 = None
checks.check("exercise 1: flatten size for 32×32 inputs", answer_1, course_flatten_size(32))

# %% jupyter={"source_hidden": true}
# Solution: 32 -> 28 (conv) -> 14 (pool) -> 10 (conv) -> 5 (pool); 20 channels x 5 x 5.
answer_1 = 20 * 5 * 5
checks.check("exercise 1: flatten size for 32×32 inputs", answer_1, course_flatten_size(32))

# %% [markdown]
# **Exercise 2.** How many parameters does LeNet have if its first convolution gets 12 output channels instead
# of 6 (so the second convolution takes 12 input channels)? Everything else stays the same.

# %%
def lenet_wide() -> nn.Sequential:
    """LeNet with 12 channels in the first convolution."""
    net = lenet("relu")
    net[0], net[3] = nn.Conv2d(1, 12, kernel_size=5, padding=2), nn.Conv2d(12, 16, kernel_size=5)
    return net


answer_2 = None
checks.check("exercise 2: parameters of the wider LeNet", answer_2, inspect.count_params(lenet_wide()))

# %% jupyter={"source_hidden": true}
# Solution: only the two convolutions change. conv1: 12*1*25 + 12 = 312; conv2: 16*12*25 + 16 = 4816.
answer_2 = 312 + 4816 + 48120 + 10164 + 850
checks.check("exercise 2: parameters of the wider LeNet", answer_2, inspect.count_params(lenet_wide()))

# %% [markdown]
# **Exercise 3.** Write `count_mistakes(cm)`: the number of wrong predictions recorded in a confusion matrix.
# The checker compares it with a reference on our matrix and two random ones.

# %%
count_mistakes = None
cm_cases = [(cm,), (torch.randint(0, 50, (10, 10)),), (torch.randint(0, 9, (3, 3)),)]
checks.check_function("exercise 3: mistakes from a confusion matrix", count_mistakes,
                      lambda m: (m - torch.diag(m.diag())).sum(), cm_cases)

# %% jupyter={"source_hidden": true}
# Solution: everything minus the diagonal.
def count_mistakes(cm: torch.Tensor) -> torch.Tensor:
    return cm.sum() - cm.trace()


checks.check_function("exercise 3: mistakes from a confusion matrix", count_mistakes,
                      lambda m: (m - torch.diag(m.diag())).sum(), cm_cases)

# %% [markdown]
# **Exercise 4 (run and interpret).** The 1998 LeNet used a scaled *tanh*, which is zero-centred and has slope 1
# at 0. Replace the four sigmoids of `lenet("sigmoid")` by `nn.Tanh()`, run `signal_per_layer` on
# `x_train[:512]` at initialisation (seeds 0, 1, 2), and compare the input-dependent signal at the logits with the
# sigmoid and ReLU networks' (measured above, in `signal`). On a log scale, is the tanh network's closer to the
# `"sigmoid"` one or to the `"relu"` one? Answer with that string.

# %%
def tanh_lenet() -> nn.Sequential:
    """d2l's simplified LeNet with tanh in place of each sigmoid (average pooling kept)."""
    net = lenet("sigmoid")
    for i, layer in enumerate(net):
        if isinstance(layer, nn.Sigmoid):
            net[i] = nn.Tanh()
    return net


def closer_to(signals: dict[int, float]) -> str:
    """Which of the two measured networks a per-seed logit signal is nearer to, on a log scale."""
    def distance(act: str) -> float:
        return sum(abs(math.log(signals[s] / signal[act, s]["logits"][0])) for s in (0, 1, 2))
    return min(ACTIVATIONS, key=distance)


def tanh_signals() -> dict[int, float]:
    """The logit signal of the tanh LeNet at initialisation, per seed (the same measurement as above)."""
    out = {}
    for seed in (0, 1, 2):
        training.seed_everything(seed)
        out[seed] = signal_per_layer(tanh_lenet(), x_train[:512])["logits"][0]
    return out


answer_4 = None
checks.check("exercise 4: tanh LeNet's signal at the logits is closer to", answer_4, closer_to(tanh_signals()),
             hint="measure it for each seed and compare the ratios, not the differences")

# %% jupyter={"source_hidden": true}
# Solution: measure, then compare on a log scale (ratios).
tanh_logits = {}
for seed in (0, 1, 2):
    training.seed_everything(seed)
    tanh_logits[seed] = signal_per_layer(tanh_lenet(), x_train[:512])["logits"][0]
for seed in (0, 1, 2):
    print(f"seed {seed}: logit signal sigmoid {signal['sigmoid', seed]['logits'][0]:.1e}, "
          f"tanh {tanh_logits[seed]:.1e}, relu {signal['relu', seed]['logits'][0]:.1e}")
# tanh is zero-centred with slope 1 at 0: no constant 0.5 to carry, no factor 1/4 per layer. Its logits depend on
# the image about as much as the ReLU network's, two orders of magnitude more than the sigmoid network's.
answer_4 = "relu"
checks.check("exercise 4: tanh LeNet's signal at the logits is closer to", answer_4, closer_to(tanh_signals()),
             hint="measure it for each seed and compare the ratios, not the differences")

# %% [markdown]
# **Exercise 5 (write the loop yourself).** Without looking at the "One epoch, written out" cell, write
# `one_epoch(model, loader, optimizer, x_val, y_val)`: training mode; for every batch: forward, loss, `zero_grad`,
# `backward`, `step`, keeping each loss as a float; then evaluation mode and no gradients for the accuracy on
# `(x_val, y_val)`. Return `(losses, accuracy)`. The checker runs yours and the notebook's loop on identical copies of
# a small network with dropout that starts in evaluation mode, so forgetting `model.train()` or `model.eval()`
# changes the numbers.

# %%
def small_case() -> tuple:
    """A fresh small network with dropout (in eval mode), its optimiser, 4 batches of 32 and 256 validation images."""
    training.seed_everything(0)  # the same weights and the same dropout masks every time
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10)).eval()
    loader = data.TensorLoader(x_train[:128], y_train[:128], batch_size=32, shuffle=True, seed=0)
    return net, loader, torch.optim.SGD(net.parameters(), lr=0.1), x_val[:256], y_val[:256]


def notebook_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, x_val: torch.Tensor,
                   y_val: torch.Tensor) -> tuple[list[float], float]:
    """The loop of section 4, as a function: the reference."""
    model.train()
    losses = [train_step(model, x, y, optimizer) for x, y in loader]
    return losses, evaluate(model, x_val, y_val)


def check_epoch(fn) -> None:
    """Run `fn` and the reference on identical small cases and compare (losses, accuracy)."""
    checks.check("exercise 5: one epoch written out", None if fn is None else fn(*small_case()),
                 notebook_epoch(*small_case()),
                 hint="training mode before the steps; evaluation mode and torch.no_grad() before the accuracy; "
                      "one loss per batch, as a float")


one_epoch = None
check_epoch(one_epoch)

# %% jupyter={"source_hidden": true}
# Solution: the four moves of every epoch.
def one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, x_val: torch.Tensor,
              y_val: torch.Tensor) -> tuple[list[float], float]:
    model.train()
    losses = []
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_val).argmax(dim=1) == y_val).float().mean().item()
    return losses, accuracy


check_epoch(one_epoch)

# %% [markdown]
# ## Summary
#
# * `torchvision.datasets.MNIST` gives (image, label) pairs; `ToTensor` scales to [0, 1], and `Normalize` with
#   the training set's own mean 0.1307 and standard deviation 0.3081 centres them.
# * d2l's simplified LeNet-5: two conv → activation → pool blocks, then three linear layers; 28×28 → 400
#   features → 10 scores. 61,706 parameters, 78 % of them in the first linear layer, while the convolutions do
#   most of the arithmetic. The 1998 original had scaled tanh, trainable subsampling, a sparse C3 table and RBF
#   outputs.
# * Train on the 50,000 training images, make every choice on the 10,000 validation images, and use the test
#   set once, at the end.
# * The course network's `Linear(320, 10)`: 20 channels × 4 × 4 left after two unpadded 5×5 convolutions and two
#   poolings.
# * One epoch by hand: `model.train()`, then per batch forward, loss, `zero_grad`, `backward`, `step`; then
#   `model.eval()` and `torch.no_grad()` for the validation accuracy. `fit` runs the same loop.
# * The ReLU/max-pool LeNet reaches at least 99 % test accuracy in five epochs on a CPU. At matched budgets and
#   each at its own best learning rate from a sweep, the sigmoid one starts slower on every seed. Under Adam the
#   cause is the forward pass (sigmoid outputs sit near 0.5 and the image-dependent signal shrinks layer by layer,
#   so the logits start nearly input-independent), not the 1/4 slope on the gradient, which Adam's per-parameter
#   scaling undoes; with plain SGD the weak gradient slows it further: in 150 steps it stays at chance at every
#   rate tried.
# * Move the model once and every batch each step, and assign `x = x.to(device)`.
# * Save `state_dict()`, load with `weights_only=True`.
#
# Next: the **GoogLeNet** notebook — many branches in one block.

# %% [markdown]
# ## Glossary · 术语表
#
# | English | 中文 |
# |---|---|
# | LeNet | LeNet（卷积神经网络） |
# | convolutional encoder | 卷积编码器 |
# | dense (fully connected) block | 全连接层块 |
# | activation function (sigmoid, ReLU) | 激活函数 |
# | average pooling / max pooling | 平均汇聚 / 最大汇聚 |
# | normalisation (mean, standard deviation) | 标准化（均值、标准差） |
# | feature map | 特征图 |
# | parameter count | 参数量 |
# | learning rate | 学习率 |
# | optimiser | 优化器 |
# | epoch, minibatch | 轮次，小批量 |
# | vanishing gradient | 梯度消失 |
# | test accuracy | 测试精度 |
# | confusion matrix | 混淆矩阵 |
# | device (CPU / GPU) | 设备 |
# | weights, state dict | 权重，状态字典 |
# | receptive field | 感受野 |
# | training / validation / test set | 训练集 / 验证集 / 测试集 |
# | learning-rate sweep | 学习率扫描 |
# | random seed | 随机种子 |
# | training mode / evaluation mode | 训练模式 / 评估模式 |
# | forward pass / backward pass | 前向传播 / 反向传播 |
# | zero-centred | 零中心化 |
# | hyperbolic tangent (tanh) | 双曲正切 |
# | subsampling | 下采样 |
# | connection table | 连接表 |
# | radial basis function (RBF) | 径向基函数 |
# | stochastic gradient descent (SGD) | 随机梯度下降 |
