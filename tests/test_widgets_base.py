"""The Explorer base every explorer builds on: its layout, what triggers a redraw, and how `set` and `hold` batch."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.widgets._base import Explorer  # noqa: E402


class Doubler(Explorer[int]):
    """A minimal explorer: one slider, its value doubled."""

    def __init__(self, title: str = "") -> None:
        self.draws: list[int] = []
        super().__init__({"n": W.IntSlider(1, min=0, max=9)}, title=title)

    def compute(self, n: int) -> int:
        return 2 * n

    def describe(self, state: int) -> str:
        return f"twice: {state}"

    def draw(self, state: int):
        self.draws.append(state)
        fig, ax = plt.subplots()
        ax.set_title(str(state))
        return fig


def test_layout_title_controls_caption_output():
    plain = Doubler()
    controls, caption, out = plain.widget.children  # no title: no header
    assert controls.children == (plain.controls["n"],) and controls.layout.flex_flow == "row wrap"
    assert caption is plain.caption and "explorer-caption" in caption._dom_classes  # the browser test reads it
    assert caption.layout.margin == "0 0 0 8px" and out is plain.out and out.layout.min_height == "120px"
    titled = Doubler(title="Doubling")
    assert titled.widget.children[0].value == "<b>Doubling</b>" and len(titled.widget.children) == 4


def test_only_a_new_value_redraws_and_set_redraws_once():
    ex, open_before = Doubler(), set(plt.get_fignums())
    assert ex.draws == [] and ex.state == 2 and ex.draws == [2]  # nothing until first asked
    ex.controls["n"].description = "n (renamed)"  # not a value: no redraw
    assert ex.draws == [2]
    ex.controls["n"].value = 3
    assert ex.draws == [2, 6] and ex.caption.value == "twice: 6"
    with ex.hold():
        with ex.hold():  # nested holds redraw once, at the outermost
            ex.controls["n"].value = 4
        ex.controls["n"].value = 5
        assert ex.draws == [2, 6]
    assert ex.draws == [2, 6, 10]
    assert ex.set(n=1) == 2 and ex.draws == [2, 6, 10, 2]
    assert set(plt.get_fignums()) <= open_before  # each drawn figure is closed once shown
    with pytest.raises(KeyError, match=r"no control named \['m'\]; this explorer has \['n'\]"):
        ex.set(m=1)


def test_refresh_shows_the_figure_in_the_output_replacing_the_last(monkeypatch):
    from helpers.widgets import _base

    calls = []
    monkeypatch.setattr(_base, "clear_output", lambda wait=False: calls.append(("clear", wait)))
    monkeypatch.setattr(_base, "display", lambda obj: calls.append(("display", obj.axes[0].get_title())))
    ex = Doubler()
    ex.refresh()
    ex.set(n=4)
    assert calls == [("clear", True), ("display", "2"), ("clear", True), ("display", "8")]  # wait: no flicker


class Untitled(Explorer[int]):
    """An explorer that gives the base no title and no caption of its own."""

    def __init__(self) -> None:
        self.draws: list[int] = []
        super().__init__({"n": W.IntSlider(1)})

    def compute(self, n: int) -> int:
        return n

    def draw(self, state: int):
        self.draws.append(state)
        return plt.figure()


def test_base_defaults_no_title_no_caption_and_first_display_computes():
    ex = Untitled()
    assert len(ex.widget.children) == 3  # no header without a title
    assert ex.describe(5) == ""
    bundle = ex._repr_mimebundle_()  # what Jupyter calls to show it: computes and draws the first state
    assert ex.draws == [1] and "application/vnd.jupyter.widget-view+json" in bundle
    ex._repr_mimebundle_()
    assert ex.draws == [1]  # shown again: nothing recomputed


def test_scaled_draws_the_picture_smaller_as_a_whole_and_refuses_a_bad_factor(monkeypatch):
    from helpers.widgets import _base

    shown = []
    monkeypatch.setattr(_base, "clear_output", lambda wait=False: None)
    monkeypatch.setattr(_base, "display", lambda fig: shown.append(fig.get_dpi()))
    full = Doubler()
    full.refresh()
    small = Doubler().scaled(0.5)
    assert isinstance(small, Doubler)  # chainable: Explorer(...).scaled(0.8) is the explorer
    small.refresh()
    assert shown == [plt.rcParams["figure.dpi"], 0.5 * plt.rcParams["figure.dpi"]]
    assert small.static_figure().get_dpi() == plt.rcParams["figure.dpi"]  # the static figure keeps its size
    for bad in (0, -1, 5, "big"):
        with pytest.raises(ValueError, match="factor must be"):
            Doubler().scaled(bad)
