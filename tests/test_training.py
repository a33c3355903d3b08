import time

import pytest
import torch
from torch import nn

from helpers import training
from helpers.data import TensorLoader
from helpers.training import (
    DEVICE_ENV,
    History,
    accuracy,
    confusion_matrix,
    evaluate_accuracy,
    fit,
    make_optimizer,
    predict,
    seed_everything,
    train_step,
    try_device,
)


def blobs(n=512, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    centers = torch.tensor([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    return centers[y] + 0.5 * torch.randn(n, 2, generator=g), y


def test_fit_learns_and_records_history():
    seed_everything(0)
    x, y = blobs()
    xt, yt = blobs(256, seed=1)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    hist = fit(model, TensorLoader(x, y, 32, shuffle=True), TensorLoader(xt, yt, 64), epochs=3, lr=0.1,
               live=False, eval_every=8, log_every=4, device=torch.device("cpu"))
    assert hist.epoch == [1, 2, 3] and len(hist.val_acc) == 3 and hist.epoch_step == [16, 32, 48]
    assert hist.val_acc[-1] > 0.95 and hist.train_loss[-1] < hist.train_loss[0]
    assert hist.step == list(range(4, 49, 4)) and hist.eval_step == [8, 16, 24, 32, 40, 48]
    assert hist.examples == 3 * 512 and hist.seconds > 0
    assert hist.steps_to(0.5) == 8 and hist.steps_to(1.01) is None


def test_fit_is_reproducible_with_a_seed():
    runs = []
    for _ in range(2):
        seed_everything(3)
        x, y = blobs()
        model = nn.Linear(2, 3)
        fit(model, TensorLoader(x, y, 64, shuffle=True, seed=3), epochs=1, live=False)
        runs.append(model.weight.detach().clone())
    torch.testing.assert_close(runs[0], runs[1])


def test_fit_accepts_an_optimizer_class_or_instance():
    x, y = blobs(64)
    model = nn.Linear(2, 3)
    h1 = fit(model, TensorLoader(x, y, 16), epochs=1, optimizer=torch.optim.Adam, lr=0.01, live=False)
    h2 = fit(model, TensorLoader(x, y, 16), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
             live=False)
    assert h1.train_loss and h2.train_loss
    with pytest.raises(ValueError, match=r"lr=0.5 would be ignored: the optimizer instance already has its learning "
                                         r"rate \(0.1\)"):
        fit(model, TensorLoader(x, y, 16), optimizer=torch.optim.SGD(model.parameters(), lr=0.1), lr=0.5, live=False)
    with pytest.raises(ValueError, match="eval_every=5 needs validation batches"):
        fit(model, TensorLoader(x, y, 16), eval_every=5, live=False)


def test_one_fit_step_is_one_hand_written_sgd_step():
    """The same batch, the same weights: fit's first step equals w - lr * grad (gradients cleared, not summed)."""
    x, y = blobs(32)
    torch.manual_seed(0)
    model = nn.Linear(2, 3)
    w, b = model.weight.detach().clone(), model.bias.detach().clone()
    reference = nn.Linear(2, 3)
    with torch.no_grad():
        reference.weight.copy_(w)
        reference.bias.copy_(b)
    for _ in range(2):  # two steps: a loop that forgot zero_grad would add the first gradient into the second
        loss = nn.functional.cross_entropy(reference(x), y)
        gw, gb = torch.autograd.grad(loss, [reference.weight, reference.bias])
        with torch.no_grad():
            reference.weight -= 0.5 * gw
            reference.bias -= 0.5 * gb
    fit(model, TensorLoader(x, y, 32), epochs=2, lr=0.5, live=False, device=torch.device("cpu"))
    torch.testing.assert_close(model.weight, reference.weight)
    torch.testing.assert_close(model.bias, reference.bias)


def test_a_scheduler_is_stepped_per_epoch_or_per_batch():
    x, y = blobs(64)
    model = nn.Linear(2, 3)
    per_epoch = fit(model, TensorLoader(x, y, 16), epochs=3, lr=1.0, log_every=1, live=False,
                    scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert per_epoch.lr == [1.0] * 4 + [0.5] * 4 + [0.25] * 4  # 4 steps an epoch, halved after each epoch
    per_batch = fit(model, TensorLoader(x, y, 16), epochs=1, lr=1.0, log_every=1, live=False, scheduler_every="batch",
                    scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert per_batch.lr == [0.5, 0.25, 0.125, 0.0625]  # logged after each step's schedule.step()
    with pytest.raises(ValueError, match="scheduler_every must be 'epoch' or 'batch'; got 'step'"):
        fit(model, TensorLoader(x, y, 16), scheduler_every="step", live=False)


def test_fit_explains_a_missing_flatten():
    x, y = torch.zeros(8, 1, 4, 4), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError, match=r"\(batch, classes\) = \(8, C\).*\(8, 3, 4, 4\).*flatten"):
        fit(nn.Conv2d(1, 3, 1), TensorLoader(x, y, 8), live=False)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1; got 0"):
        fit(nn.Linear(2, 2), TensorLoader(x, y, 8), epochs=0)
    with pytest.raises(TypeError, match=r"\(images, labels\) pairs"):
        fit(nn.Linear(16, 2), [torch.zeros(2, 16)], live=False)


def test_accuracy_predict_and_confusion():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    y = torch.tensor([0, 0, 0, 1])
    assert accuracy(logits, y) == 0.75
    assert confusion_matrix(logits, y).tolist() == [[2, 1], [0, 1]]
    with pytest.raises(ValueError, match=r"\(3,\)"):
        accuracy(logits, y[:3])
    model = nn.Identity()
    model.register_parameter("p", nn.Parameter(torch.zeros(1)))
    out, labels = predict(model, [(logits, y)])
    assert torch.equal(out, logits) and torch.equal(labels, y) and model.training
    assert evaluate_accuracy(model, [(logits[:2], y[:2]), (logits[2:], y[2:])]) == 0.75


def test_try_device(monkeypatch):
    monkeypatch.delenv("CONVNETS_DEVICE", raising=False)
    assert try_device(prefer_gpu=False).type == "cpu"
    assert try_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_try_device_honours_the_pinned_device(monkeypatch):
    monkeypatch.setenv("CONVNETS_DEVICE", "cpu")
    assert try_device().type == "cpu"
    monkeypatch.setenv("CONVNETS_DEVICE", "gpu please")
    with pytest.raises(ValueError, match="CONVNETS_DEVICE should name a torch device.*'gpu please'"):
        try_device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("CONVNETS_DEVICE", "cuda")
        with pytest.raises(ValueError, match="no CUDA GPU"):
            try_device()


def test_the_tests_pin_the_cpu():
    """conftest.py pins the device, so saved notebook outputs hold on a GPU machine too (kernels inherit it)."""
    import os

    assert os.environ["CONVNETS_DEVICE"] == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_fit_on_cuda_moves_model_and_batches_together():
    x, y = blobs()
    model = nn.Linear(2, 3)
    hist = fit(model, TensorLoader(x, y, 64), TensorLoader(x, y, 128), epochs=2, live=False,
               device=torch.device("cuda"))
    assert next(model.parameters()).is_cuda and hist.val_acc[-1] > 0.8


def test_history_defaults():
    assert History().steps_to(0.1) is None


def test_steps_to_counts_reaching_the_target_not_exceeding_it():
    hist = History(eval_step=[10, 20, 30], eval_acc=[0.5, 0.9, 0.95])
    assert hist.steps_to(0.9) == 20  # exactly 0.9 at step 20 reaches 0.9
    assert hist.steps_to(0.9000001) == 30 and hist.steps_to(0.5) == 10 and hist.steps_to(0.96) is None


def test_try_device_prefers_a_gpu_only_when_there_is_one(monkeypatch):
    monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert try_device() == torch.device("cuda")
    assert try_device(prefer_gpu=False) == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert try_device() == torch.device("cpu")


def test_confusion_matrix_is_square_even_when_a_class_never_appears():
    logits = torch.tensor([[5.0, 0.0, 0.0]]).repeat(4, 1)  # always class 0, as the labels
    counts = confusion_matrix(logits, torch.zeros(4, dtype=torch.long))
    assert counts.tolist() == [[4, 0, 0], [0, 0, 0], [0, 0, 0]]


def test_seeding_repeats_python_numpy_and_torch_draws():
    import random

    import numpy as np

    def draws():
        return random.random(), float(np.random.rand()), torch.rand(1).item()

    seed_everything()
    first = draws()
    seed_everything(0)  # the default seed is 0, as the notebooks' seed_everything(0)
    assert draws() == first
    seed_everything(5)
    again = draws()
    seed_everything(5)
    assert draws() == again and again != first


def test_a_loader_of_plain_tensors_is_named_in_the_error():
    with pytest.raises(TypeError, match=r"the training loader must yield \(images, labels\) pairs, got Tensor"):
        fit(nn.Linear(16, 2), [torch.zeros(2, 16)], live=False)


def test_evaluate_accuracy_of_a_model_without_parameters_on_a_given_device():
    """A fixed baseline (no weights) is evaluated on the device asked for."""
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    assert evaluate_accuracy(nn.Identity(), [(logits, torch.tensor([0, 0]))], torch.device("cpu")) == 0.5


def test_steps_to_refuses_a_history_whose_steps_and_accuracies_disagree():
    with pytest.raises(ValueError):
        History(eval_step=[10, 20], eval_acc=[0.9]).steps_to(0.95)  # never reached: all pairs read


def test_make_optimizer_defaults_and_learning_rates():
    model = nn.Linear(2, 3)
    default = make_optimizer(model)
    assert isinstance(default, torch.optim.SGD) and default.param_groups[0]["lr"] == 0.1
    assert make_optimizer(model, torch.optim.Adam).param_groups[0]["lr"] == 0.001  # Adam's own default, not 0.1
    assert make_optimizer(model, torch.optim.Adam, lr=0.02).param_groups[0]["lr"] == 0.02
    assert make_optimizer(model, lr=0.3).param_groups[0]["lr"] == 0.3
    factory = make_optimizer(model, lambda params: torch.optim.SGD(params, lr=0.7))  # a factory without lr
    assert factory.param_groups[0]["lr"] == 0.7 and factory.param_groups[0]["params"][0] is model.weight
    with pytest.raises(ValueError, match=r"optimizer must be an optimizer class .*; got int\."):
        make_optimizer(model, 3)


def test_train_step_returns_the_loss_and_the_correct_count_before_the_step():
    model = nn.Linear(2, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))
        model.bias.zero_()
    x = torch.tensor([[3.0, 0.0], [0.0, 3.0], [-3.0, -3.0], [3.0, 0.0]])
    y = torch.tensor([0, 1, 1, 2])  # predicted 0, 1, 2, 0: two right
    expected = nn.functional.cross_entropy(model(x), y).item()
    loss, right = train_step(model, x, y, torch.optim.SGD(model.parameters(), lr=0.1))
    assert loss == pytest.approx(expected) and right == 2


def test_fit_epoch_numbers_are_the_averages_over_the_epoch():
    """lr 0: the weights never move, so the epoch's loss and accuracy are those of the whole training set."""
    x, y = blobs(48)
    torch.manual_seed(0)
    model = nn.Linear(2, 3)
    with torch.no_grad():
        logits = model(x)
        batch_losses = [nn.functional.cross_entropy(model(x[i:i + 16]), y[i:i + 16]).item() for i in (0, 16, 32)]
    hist = fit(model, TensorLoader(x, y, 16), epochs=1, lr=0.0, log_every=1, live=False)
    assert hist.train_loss[0] == pytest.approx(nn.functional.cross_entropy(logits, y).item(), rel=1e-5)
    assert hist.train_acc[0] == pytest.approx(accuracy(logits, y))
    assert hist.step_loss == pytest.approx(batch_losses)


def test_fit_defaults_one_epoch_logging_every_20_steps(monkeypatch):
    calls = []
    monkeypatch.setattr(training, "try_device", lambda: calls.append("try_device") or torch.device("cpu"))
    x, y = blobs(640)
    t0 = time.perf_counter()
    hist = fit(nn.Linear(2, 3), TensorLoader(x, y, 16), live=False)  # device: try_device's choice
    assert hist.epoch == [1] and hist.step == [20, 40] and calls == ["try_device"]
    assert 0 < hist.seconds <= time.perf_counter() - t0
    with pytest.raises(ValueError, match="epochs must be an integer >= 1; got True"):
        fit(nn.Linear(2, 3), TensorLoader(x, y, 16), epochs=True, live=False)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1; got 1.5"):
        fit(nn.Linear(2, 3), TensorLoader(x, y, 16), epochs=1.5, live=False)


class _Bar:
    """Stands in for tqdm: records how fit asked for its progress bar."""

    made: list = []

    def __init__(self, iterable, **kwargs):
        self.iterable, self.postfix = iterable, []
        _Bar.made.append((kwargs, self.postfix))

    def __iter__(self):
        return iter(self.iterable)

    def set_postfix(self, **kwargs):
        self.postfix.append(kwargs)


class _Curves:
    """Stands in for LiveCurves: records each redraw (steps logged, epochs done, forced) and the close."""

    made: list = []

    def __init__(self, title=None):
        self.title, self.log, self.closed = title, [], False
        _Curves.made.append(self)

    def update(self, hist, force=False):
        self.log.append((len(hist.step), len(hist.epoch), force))

    def close(self):
        self.closed = True


def test_fit_shows_a_progress_bar_and_live_curves_by_default(monkeypatch):
    monkeypatch.setattr(training, "tqdm", _Bar)
    monkeypatch.setattr(training, "LiveCurves", _Curves)
    _Bar.made, _Curves.made = [], []
    x, y = blobs(64)
    hist = fit(nn.Linear(2, 3), TensorLoader(x, y, 16), epochs=2, log_every=2, title="blobs")
    (curves,) = _Curves.made
    assert curves.title == "blobs" and curves.closed
    # redrawn (throttled) at each logged step, forced at the end of each epoch
    assert curves.log == [(1, 0, False), (2, 0, False), (2, 1, True), (3, 1, False), (4, 1, False), (4, 2, True)]
    assert [kw for kw, _ in _Bar.made] == [{"total": 4, "desc": f"epoch {e}/2", "disable": False, "mininterval": 1.0}
                                           for e in (1, 2)]
    assert [p for _, postfix in _Bar.made for p in postfix] == [{"loss": f"{v:.3f}"} for v in hist.step_loss]
    _Bar.made, _Curves.made = [], []
    fit(nn.Linear(2, 3), iter(list(TensorLoader(x, y, 16))), live=False)  # a plain iterator: no length
    assert not _Curves.made
    assert [kw for kw, _ in _Bar.made] == [{"total": None, "desc": "epoch 1/1", "disable": True, "mininterval": 1.0}]


class LayoutProbe(nn.Module):
    """A small CNN that records, at every forward pass, whether its convolution weight is channels-last."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)  # two input channels: the two layouts differ
        self.fc = nn.Linear(4, 3)
        self.seen: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(self.conv.weight.is_contiguous(memory_format=torch.channels_last))
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


def images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 2, 6, 6, generator=g), torch.randint(0, 3, (n,), generator=g)


@pytest.mark.parametrize("onednn", [True, False])
def test_fit_and_predict_run_convolutions_channels_last_on_a_cpu_with_onednn(monkeypatch, onednn):
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: onednn)
    model, (x, y) = LayoutProbe(), images()
    fit(model, TensorLoader(x, y, 16), TensorLoader(x, y, 32), epochs=1, eval_every=2, live=False,
        device=torch.device("cpu"))
    assert len(model.seen) == 4 + 2 * 2 and set(model.seen) == {onednn}  # 4 steps, 2 evaluations of 2 batches
    assert model.conv.weight.is_contiguous()  # the usual layout again afterwards
    model.seen.clear()
    predict(model, TensorLoader(x, y, 32))
    assert model.seen == [onednn, onednn] and model.conv.weight.is_contiguous()


def test_the_fast_layout_changes_the_results_only_by_rounding(monkeypatch):
    x, y = images(256)
    weights = []
    for onednn in (True, False):
        monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda onednn=onednn: onednn)
        model = training.seeded_model(LayoutProbe, 0)
        fit(model, TensorLoader(x, y, 32, shuffle=True, seed=0), epochs=2, optimizer=torch.optim.Adam, lr=0.01,
            live=False, device=torch.device("cpu"))
        weights.append(model.conv.weight.detach().clone())
    assert not torch.equal(weights[0], torch.zeros_like(weights[0]))
    torch.testing.assert_close(weights[0], weights[1], rtol=1e-4, atol=1e-5)


def test_the_fast_layout_leaves_other_devices_and_nested_blocks_alone(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: True)
    model = LayoutProbe()
    weight = model.conv.weight

    def channels_last() -> bool:
        return weight.is_contiguous(memory_format=torch.channels_last)

    with training.cpu_fast_layout(model, "meta"):
        assert not channels_last()
    with training.cpu_fast_layout(model, torch.device("cpu")):
        assert channels_last()
        with training.cpu_fast_layout(model, "cpu"):
            assert channels_last()
        assert channels_last()  # the inner block found it channels-last and left it so
    assert weight.is_contiguous() and not channels_last()
    assert model.conv.weight is weight  # the same parameter (an optimizer holding it keeps working)
    linear = nn.Linear(2, 3)
    with training.cpu_fast_layout(linear, "cpu"):  # no 4-D weights: nothing to change
        assert linear.weight.is_contiguous()


def test_an_epoch_that_ends_on_a_periodic_evaluation_is_measured_once(monkeypatch):
    calls = []
    real = training.evaluate_accuracy

    def counting(model, batches, device=None):
        calls.append(len(calls))
        return real(model, batches, device)

    monkeypatch.setattr(training, "evaluate_accuracy", counting)
    x, y = blobs(96)
    hist = fit(nn.Linear(2, 3), TensorLoader(x, y, 16), TensorLoader(x, y, 32), epochs=2, eval_every=4, live=False)
    assert hist.epoch_step == [6, 12] and hist.eval_step == [4, 8, 12]
    assert len(calls) == 3 + 1  # steps 4, 8, 12, and the end of epoch 1 (step 6); step 12 is not measured twice
    assert hist.val_acc[1] == hist.eval_acc[2]  # the end of epoch 2 reuses the measurement at step 12
