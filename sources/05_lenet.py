# %% [markdown]
# # 05 · LeNet: a whole convolutional network on real handwritten digits
#
# **What you will learn**
#
# 1. How to read MNIST through the standard `torchvision.datasets.MNIST` API, look at it, and compute its
#    normalisation constants yourself.
# 2. How LeNet-5 is built (the original with sigmoid and average pooling, and the modern one with ReLU and max
#    pooling), how to read its layer-by-layer shape table, and where its 61,706 parameters sit.
# 3. Where the famous `Linear(320, 10)` of the classic course network comes from.
# 4. How to train it to more than 99 % test accuracy on a laptop CPU, why the sigmoid version is slow to start,
#    and that `d2l.train_ch6` speaks the same language as this course's helpers.
# 5. How to move a model and its batches to a GPU correctly.
# 6. What the trained network has learned: its first-layer kernels, the feature maps of one digit, the confusion
#    matrix and its most confident mistakes.
# 7. How to save weights and load them back safely.
#
# Every number the text states is computed in a cell and checked with `assert`. Training takes a few epochs on
# a 2-core laptop CPU; the training cells show a progress bar and live curves while they run.

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

from helpers import checkpoints, checks, data, inspect, plotting, training
from helpers.widgets.lenet import DigitExplorer

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
assert isinstance(train_set, torchvision.datasets.MNIST) and isinstance(test_set, torchvision.datasets.MNIST)
assert (len(train_set), len(test_set)) == (60_000, 10_000)
assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and label == 5
assert image.min() == 0 and image.max() == 1

# %%
fig = plotting.show_images([train_set[i][0] for i in range(24)], nrows=3,
                           titles=[f"label {train_set[i][1]}" for i in range(24)], scale=1.1)

# %% [markdown]
# The ten classes are roughly balanced: every digit has between 5,421 and 6,742 training examples.

# %%
counts = torch.bincount(train_set.targets, minlength=10)
print("training examples per digit:", counts.tolist())
assert counts.sum() == 60_000 and counts.min() == 5_421 and counts.max() == 6_742

# %% [markdown]
# ### Normalisation constants, computed
#
# Networks train best when their inputs have mean 0 and standard deviation 1. MNIST pictures are mostly black
# background, so their pixels are far from that. The two numbers every MNIST tutorial copies, **0.1307** and
# **0.3081**, are simply the mean and standard deviation of all 60,000 × 784 training pixels:

# %%
pixels = train_set.data.float() / 255  # (60000, 28, 28): the raw bytes torchvision read, scaled as ToTensor does
mean, std = pixels.mean().item(), pixels.std().item()
print(f"mean {mean:.4f}, std {std:.4f} over {pixels.numel():,} training pixels")
assert round(mean, 4) == 0.1307 and round(std, 4) == 0.3081
assert (round(mean, 4), round(std, 4)) == (data.MNIST_MEAN, data.MNIST_STD)

# %% [markdown]
# `transforms.Normalize((0.1307,), (0.3081,))` subtracts the mean and divides by the standard deviation. A black
# background pixel (0) becomes $-0.1307 / 0.3081 = -0.4242$ and a white one $(1 - 0.1307) / 0.3081 = 2.8215$.
# The *test* set is normalised with the *training* constants: at test time we pretend we have never seen it.

# %%
normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((data.MNIST_MEAN,), (data.MNIST_STD,))])
train_normalized = data.mnist_dataset(train=True, transform=normalize)
x0 = train_normalized[0][0]
print(f"black -> {x0.min():.4f}, white -> {x0.max():.4f}")
assert round(x0.min().item(), 4) == -0.4242 and round((1 - data.MNIST_MEAN) / data.MNIST_STD, 4) == 2.8215

# %% [markdown]
# Going through a `DataLoader` one picture at a time is slow on a CPU. The whole training set fits in memory
# (60,000 × 784 floats = 188 MB), so the helpers load it once as tensors, normalised exactly as above, and
# `data.TensorLoader` slices shuffled minibatches from them. Same numbers, many times faster:

# %%
x_train, y_train = data.load_mnist(train=True)
x_test, y_test = data.load_mnist(train=False)
print("x_train", tuple(x_train.shape), "x_test", tuple(x_test.shape))
torch.testing.assert_close(x_train[:16], torch.stack([train_normalized[i][0] for i in range(16)]))
assert torch.equal(y_train, train_set.targets) and abs(x_train.mean().item()) < 1e-3
assert abs(x_train.std().item() - 1) < 1e-3
assert x_train.numel() * x_train.element_size() == 60_000 * 784 * 4 == 188_160_000  # bytes: 188 MB

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
# As d2l writes it: sigmoid activations and average pooling, the choices of the 1990s. The modern variant swaps
# in ReLU and max pooling. One function builds both:

# %%
# @save
def lenet(activation: str = "relu", pooling: str | None = None) -> nn.Sequential:
    """LeNet-5 as in d2l: 'sigmoid' (with average pooling, the original) or 'relu' (with max pooling)."""
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
assert outputs[0] == (1, 6, 28, 28) and outputs[2] == (1, 6, 14, 14)
assert outputs[3] == (1, 16, 10, 10) and outputs[5] == (1, 16, 5, 5)
assert outputs[6] == (1, 400) and outputs[-1] == (1, 10)
assert inspect.conv_output_shape(14, 5) == (10, 10) and inspect.conv_output_shape(28, 5, padding=2) == (28, 28)

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

# %%
assert per_layer["params"].tolist() == [6 * 1 * 25 + 6, 16 * 6 * 25 + 16, 400 * 120 + 120, 120 * 84 + 84,
                                        84 * 10 + 10] == [156, 2416, 48120, 10164, 850]
assert n_params == table["params"].sum() == 61_706
conv_share = (156 + 2416) / n_params
assert round(48120 / n_params, 2) == 0.78 and round(conv_share, 3) == 0.042
# ...but the convolutions do most of the work: every weight is reused at every output position.
assert table["mult_adds"][0] == 156 * 28 * 28 == 122_304 and table["mult_adds"][3] == 2416 * 10 * 10
assert table["mult_adds"][[0, 3]].sum() > 6 * table["mult_adds"][[7, 9, 11]].sum()

# %% [markdown]
# The modern variant has the same table with other layer names: ReLU and max pooling change no shape and add no
# parameter.

# %%
relu_table = inspect.layer_table(lenet("relu"), (1, 1, 28, 28))
relu_table

# %%
assert relu_table["output"].tolist() == table["output"].tolist()
assert relu_table["params"].tolist() == table["params"].tolist() and inspect.count_params(lenet("relu")) == 61_706
assert relu_table["layer"][1] == "ReLU (1)" and relu_table["layer"][2] == "MaxPool2d (2)"

# %% [markdown]
# The first fully connected layer holds 78 % of the parameters; the two convolutions hold 4.2 % but do more than
# six times the multiply-adds of all linear layers together, because each kernel is applied at every position
# (`mult_adds` counts the bias additions too: 156 × 28 × 28 = 122,304 for the first convolution).

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
assert course_table["output"].tolist() == [(1, 10, 24, 24), (1, 10, 12, 12), (1, 20, 8, 8), (1, 20, 4, 4),
                                           (1, 10)]
assert course_table["input"].iloc[-1] == (1, 320) and 20 * 4 * 4 == 320
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
# numbers printed below are the same on every machine. This is the loop `helpers.training.fit` runs for you (one
# step shown):

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


training.seed_everything(0)
demo = lenet("relu").to(device)  # Module.to moves the parameters in place (and returns the module)
demo_opt = torch.optim.Adam(demo.parameters(), lr=2e-3)
demo_losses = [train_step(demo, x_train[i:i + 128], y_train[i:i + 128], demo_opt) for i in range(0, 20 * 128, 128)]

# %%
# NBVAL_IGNORE_OUTPUT
# The device depends on the machine: "cpu" on a laptop, "cuda" with an NVIDIA GPU.
print("training on", device, "| loss at steps 1, 5, 10, 15, 20:", [round(demo_losses[i], 2) for i in (0, 4, 9, 14, 19)])

# %%
assert next(demo.parameters()).device.type == device.type
assert abs(demo_losses[0] - math.log(10)) < 0.1  # a fresh classifier guesses: loss ≈ ln 10
assert len(demo_losses) == 20 and demo_losses[-1] < 1.5  # 20 steps: learning has started

# %% [markdown]
# ### The modern LeNet: 99 % on the test set
#
# Training: minibatches of 128 shuffled training images, cross-entropy loss, the Adam optimiser at learning
# rate 0.002 for 4 epochs, then one more epoch at a ten times smaller rate to settle into the minimum (the same
# optimiser, so Adam keeps its memory). Every 25 steps `fit` measures the accuracy on 1,000 test images (a cheap
# *probe*) to draw the green curve; after each epoch it measures it again (red squares). The full 10,000-image
# test set is used once, at the end.

# %%
probe = data.TensorLoader(x_test[:1000], y_test[:1000], batch_size=1000)
test_loader = data.TensorLoader(x_test, y_test, batch_size=1000)


def train_loader(seed: int = 0) -> data.TensorLoader:
    """Shuffled minibatches of 128 training images; the same seed gives the same order."""
    return data.TensorLoader(x_train, y_train, batch_size=128, shuffle=True, seed=seed)


# %%
# NBVAL_IGNORE_OUTPUT
training.seed_everything(0)
relu_net = lenet("relu")
optimizer = torch.optim.Adam(relu_net.parameters(), lr=2e-3)
hist_relu = training.fit(relu_net, train_loader(0), probe, epochs=4, optimizer=optimizer, eval_every=25,
                         log_every=5, title="LeNet (ReLU, max pool), Adam lr 0.002")

# %%
assert len(train_loader()) == 469 and hist_relu.epoch_step == [469, 938, 1407, 1876]  # 60,000 / 128, rounded up
assert hist_relu.val_acc[0] > 0.95 and hist_relu.val_acc[-1] > 0.98  # the probe after epochs 1 and 4

# %%
# NBVAL_IGNORE_OUTPUT
for group in optimizer.param_groups:
    group["lr"] = 2e-4
hist_relu_2 = training.fit(relu_net, train_loader(1), probe, epochs=1, optimizer=optimizer, eval_every=25,
                           log_every=5, title="one more epoch at lr 0.0002")
test_acc = training.evaluate_accuracy(relu_net, test_loader)
print(f"test accuracy on all 10,000 test images: {test_acc:.4f}")

# %%
assert test_acc >= 0.99, test_acc
assert hist_relu_2.epoch_step == [469] and hist_relu_2.train_acc[-1] > 0.99

# %% [markdown]
# ### The original LeNet: slow to start
#
# Now the sigmoid/average-pooling LeNet, with the *same* data order, optimiser and learning rate, for one epoch:

# %%
# NBVAL_IGNORE_OUTPUT
training.seed_everything(0)
sigmoid_net = lenet("sigmoid")
hist_sigmoid = training.fit(sigmoid_net, train_loader(0), probe, epochs=1, lr=2e-3, optimizer=torch.optim.Adam,
                            eval_every=25, log_every=5, title="LeNet (sigmoid, average pool), Adam lr 0.002")

# %%
assert hist_sigmoid.epoch_step == [469] and 0.85 < hist_sigmoid.val_acc[-1] < hist_relu.val_acc[0]

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
for name, h in {"ReLU + max pool": hist_relu, "sigmoid + average pool": hist_sigmoid}.items():
    axes[0].plot(h.step, h.step_loss, label=name)
    axes[1].plot(h.eval_step, h.eval_acc, label=name)
axes[0].axhline(math.log(10), color="grey", ls=":", lw=1)
for ax, title in zip(axes, ["training loss (dotted: ln 10, pure guessing)", "accuracy on the 1,000-image probe"],
                     strict=True):
    ax.set_xlim(0, len(train_loader()))  # the first epoch
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
    ax.legend()

# %%
plateau = [loss for step, loss in zip(hist_sigmoid.step, hist_sigmoid.step_loss, strict=True) if step <= 30]
assert len(plateau) == 6 and all(abs(v - math.log(10)) < 0.05 for v in plateau)  # ln 10 = 2.303: guessing
assert hist_relu.step_loss[hist_relu.step.index(30)] < 1
assert hist_relu.steps_to(0.9) < hist_sigmoid.steps_to(0.85) / 2
assert max(hist_sigmoid.eval_acc) > 0.85  # it does get there, later

# %% [markdown]
# The sigmoid network's loss sits on ln 10 ≈ 2.303 — the loss of a uniform guess over 10 classes — for the first
# 30 steps, while the ReLU network's loss has already dropped below 1. The sigmoid network then needs more than
# twice as many steps to reach 85 % probe accuracy as the ReLU network needs for 90 %.
#
# Why? On its way back, the gradient is multiplied by the slope of every activation it passes. The sigmoid's
# slope is at most 1/4 (at 0), and LeNet has four sigmoids between the loss and the first convolution, so they
# alone scale the gradient by at most $(1/4)^4 = 1/256$. (The weight matrices scale it too, up or down, so this
# is a tendency, not a bound.) The two networks also differ in pooling: average pooling hands each of its 4
# inputs a quarter of the gradient, max pooling hands all of it to one input. To separate the two effects,
# measure the gradient that reaches the first layer at initialisation, on the same batch, for all four
# combinations:

# %%
def first_layer_grad_norm(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Norm of the loss gradient with respect to the first convolution's weight."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return model[0].weight.grad.norm().item()


xb, yb = x_train[:256], y_train[:256]
grad = {}
for act in ("relu", "sigmoid"):
    for pooling in ("max", "avg"):
        training.seed_everything(0)
        grad[act, pooling] = first_layer_grad_norm(lenet(act, pooling), xb, yb)
        print(f"first-layer gradient norm at init, {act:7} + {pooling} pool: {grad[act, pooling]:.2e}")
sigmoid_slope = torch.sigmoid(torch.zeros(1)) * (1 - torch.sigmoid(torch.zeros(1)))
assert sigmoid_slope.item() == 0.25 and 0.25 ** 4 == 1 / 256
assert sum(isinstance(m, nn.Sigmoid) for m in lenet("sigmoid").modules()) == 4
assert all(grad["relu", p] > 50 * grad["sigmoid", p] for p in ("max", "avg"))  # the activation: 50x or more
assert all(1 < grad[a, "max"] / grad[a, "avg"] < 3 for a in ("relu", "sigmoid"))  # the pooling: under 3x

# %% [markdown]
# With either pooling, the sigmoid makes the first layer's gradient more than 50 times weaker; the pooling
# accounts for less than a factor of 3. So the slow start is mostly the sigmoid's doing. Adam rescales each
# parameter's step by the size of its recent gradients, which helps the sigmoid network off the plateau at all.
# ReLU's slope is exactly 1 wherever it is active, so gradients arrive at the first layer at full strength. This
# is one reason almost every network since 2012 uses ReLU; the BatchNorm notebook adds another remedy, batch
# normalisation, which keeps every layer's inputs well scaled.

# %% [markdown]
# ### The same network with `d2l.train_ch6`
#
# If you follow *Dive into Deep Learning*, its `train_ch6` trains a network with SGD and draws an animated plot.
# It accepts the course's `TensorLoader`s as they are, because both sides only need "an iterable of
# (images, labels) batches with a length". Two epochs on 10,000 training images:

# %%
# NBVAL_IGNORE_OUTPUT
from d2l import torch as d2l  # noqa: E402
from matplotlib_inline.backend_inline import set_matplotlib_formats  # noqa: E402

training.seed_everything(0)
d2l_net = lenet("relu")
d2l_train = data.TensorLoader(x_train[:10_000], y_train[:10_000], batch_size=256, shuffle=True, seed=0)
d2l.train_ch6(d2l_net, d2l_train, probe, num_epochs=2, lr=0.1, device=device)  # d2l.try_gpu() in d2l
set_matplotlib_formats("png")  # d2l switched the notebook's figures to SVG; switch back

# %%
d2l_acc = d2l.evaluate_accuracy_gpu(d2l_net, probe)
assert abs(d2l_acc - training.evaluate_accuracy(d2l_net, probe)) < 1e-6  # same number from both libraries
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
assert kernels.shape == (6, 1, 5, 5)
fig = plotting.show_kernels(kernels, scale=1.3)

# %% [markdown]
# ### Feature maps of one digit
#
# Feed one test digit through the first block (convolution + ReLU) and the second. Each map is one channel:
# bright where its kernel found its pattern. ReLU sets everything negative to exactly 0, so the maps are sparse.

# %%
relu_net = relu_net.cpu().eval()
digit = x_test[0:1]
with torch.no_grad():
    maps_1 = relu_net[:2](digit)  # conv1 + ReLU
    maps_2 = relu_net[:5](digit)  # ... + pool + conv2 + ReLU
fig = plotting.show_images([digit[0]], titles=[f"test image 0 (label {y_test[0].item()})"], scale=2.0)
fig = plotting.show_feature_maps(maps_1, scale=1.6, title="after conv1 + ReLU: 6 maps of 28×28")
fig = plotting.show_feature_maps(maps_2, title="after conv2 + ReLU: 16 maps of 10×10")

# %%
assert maps_1.shape == (1, 6, 28, 28) and maps_2.shape == (1, 16, 10, 10)
assert (maps_1 >= 0).all() and (maps_1 == 0).float().mean() > 0.2  # ReLU: non-negative, many exact zeros

# %% [markdown]
# ### Confusion matrix and the most confident mistakes
#
# Rows are the true digits, columns the predictions; the diagonal holds the correct answers. Everything off the
# diagonal is a mistake, and most mistakes are between digits that look alike when written quickly.

# %%
logits, labels = training.predict(relu_net, test_loader)
cm = training.confusion_matrix(logits, labels)
fig = plotting.plot_confusion_matrix(cm)

# %%
assert cm.sum() == 10_000 and cm.shape == (10, 10)
assert torch.equal(cm.sum(dim=1), torch.bincount(y_test, minlength=10))  # each row = one digit's test images
assert abs(cm.trace().item() / 10_000 - test_acc) < 1e-6  # the diagonal is the accuracy
off_diagonal = cm - torch.diag(cm.diag())
assert off_diagonal.max() < 0.02 * cm.sum(dim=1).min()  # no pair of digits is confused often

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
assert path.name == "lenet_relu.pt" and list(state) == [
    "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"]
reloaded = lenet("relu")
assert checkpoints.load_weights(reloaded, "lenet_relu")
reloaded_logits, _ = training.predict(reloaded, test_loader)
assert torch.equal(reloaded_logits.argmax(1), logits.argmax(1))
torch.testing.assert_close(reloaded_logits, logits)

# %% [markdown]
# ## 7. Explorer: what LeNet sees
#
# Move the slider through the 10,000 test images: the digit, the predicted class probabilities (green: right,
# red: wrong) and the six first-layer feature maps.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = DigitExplorer(relu_net, x_test, y_test)
explorer

# %%
state = explorer.compute(index=0)
assert state.label == y_test[0].item() and state.pred == logits[0].argmax().item()
torch.testing.assert_close(state.probs, probs[0])
assert state.maps.shape == (6, 28, 28) and abs(state.probs.sum().item() - 1) < 1e-5
torch.testing.assert_close(state.maps, relu_net[0](x_test[0:1])[0].detach())  # conv1's output, before ReLU

# %% [markdown]
# For readers without a running kernel: the network's most confident mistake.

# %%
fig = explorer.static_figure(index=worst[0].item())

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
assert layer(x).dtype == torch.float64

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
    TypoNet()(x_test[:2])
except NotImplementedError as err:
    print("NotImplementedError:", err)
    typo_message = str(err)
assert "forward" in typo_message

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
assert z.numel() == 4 * F.max_pool2d(z, 2).numel()  # pooling first: the ReLU sees a quarter of the values
assert torch.equal(torch.sigmoid(F.max_pool2d(z, 2)), F.max_pool2d(torch.sigmoid(z), 2))  # any rising function
gap = (torch.sigmoid(F.avg_pool2d(z, 2)) - F.avg_pool2d(torch.sigmoid(z), 2)).abs().max().item()
print(f"sigmoid vs average pooling: largest difference between the two orders {gap:.3f}")
assert gap > 0.05

# %% [markdown]
# **Pitfall 4: "normalise the test set with its own mean and standard deviation."** Then the same picture gets
# different numbers depending on which set it is in, and you have peeked at the test data. Normalise everything
# with the *training* constants. The test set's own statistics are close but not equal:

# %%
test_pixels = test_set.data.float() / 255
print(f"test pixels: mean {test_pixels.mean():.4f}, std {test_pixels.std():.4f}")
assert round(test_pixels.mean().item(), 4) == 0.1325 and round(test_pixels.std().item(), 4) == 0.3105

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
# ## Summary
#
# * `torchvision.datasets.MNIST` gives (image, label) pairs; `ToTensor` scales to [0, 1], and `Normalize` with
#   the training set's own mean 0.1307 and standard deviation 0.3081 centres them.
# * LeNet-5: two conv → activation → pool blocks, then three linear layers; 28×28 → 400 features → 10 scores.
#   61,706 parameters, 78 % of them in the first linear layer, while the convolutions do most of the arithmetic.
# * The course network's `Linear(320, 10)`: 20 channels × 4 × 4 left after two unpadded 5×5 convolutions and two
#   poolings.
# * The ReLU/max-pool LeNet reaches at least 99 % test accuracy in five epochs on a CPU; the sigmoid one starts
#   slowly: each sigmoid's slope is at most 1/4, and the first layer's gradient comes out more than 50 times
#   weaker than with ReLU (the pooling accounts for less than 3 times).
# * Move the model once and every batch each step, and assign `x = x.to(device)`.
# * Save `state_dict()`, load with `weights_only=True`.
#
# Next: **06 · GoogLeNet** — many branches in one block.

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
