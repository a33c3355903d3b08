"""The Explorer base: a row of ipywidgets controls, a caption, and an Output that redraws a figure from them.

An explorer is a view. It is given the lesson's own functions (the notebook's `corr2d`, `pool2d`, residual network
...) and shows what they compute; it owns no lesson maths and never touches the global random state.

A subclass sets whatever it needs, then calls `super().__init__(controls, title)`, and defines
- `compute(**values) -> State`: everything the picture shows, as a typed state (a dataclass), tested in tests/;
- `draw(state) -> Figure`: the picture, from `state` alone (so `static_figure(**values)` draws those values);
- `describe(state) -> str`: a one-line caption (the browser test reads it).
Nothing is computed until the explorer is first shown or asked for its `state`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import clear_output, display
from matplotlib.figure import Figure

from helpers import validate as check

State = TypeVar("State")


class Explorer(Generic[State]):
    """Controls + caption + figure; subclasses define compute, draw and describe."""

    def __init__(self, controls: dict[str, W.ValueWidget], title: str = "") -> None:
        self.controls = controls
        self.out = W.Output(layout=W.Layout(min_height="120px"))
        self._state: State | None = None
        self._held = False
        self._scale = 1.0
        for control in controls.values():
            control.observe(self._on_change, names="value")
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.caption = W.HTML(layout=W.Layout(margin="0 0 0 8px"))
        self.caption.add_class("explorer-caption")
        self.widget = W.VBox([*header, W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
                              self.caption, self.out])

    def compute(self, **values: Any) -> State:
        """Everything the picture shows, as a typed state."""
        raise NotImplementedError

    def draw(self, state: State) -> Figure:
        """The picture for one state."""
        raise NotImplementedError

    def describe(self, state: State) -> str:
        """A one-line text summary shown above the picture (override; empty hides it)."""
        return ""

    def scaled(self, factor: float) -> Explorer[State]:
        """Draw the picture `factor` times its size (a slide deck shrinks it to fit a projector); returns self."""
        self._scale = check.fraction("factor", factor, low=0.0, high=4.0)
        return self

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values."""
        return {name: c.value for name, c in self.controls.items()}

    @property
    def state(self) -> State:
        """The state for the controls' current values (computed on first use)."""
        if self._state is None:
            self.refresh()
        assert self._state is not None
        return self._state

    def set(self, **values: Any) -> State:
        """Move controls as a learner would (all at once: one redraw); returns the new state."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)}; this explorer has {sorted(self.controls)}.")
        with self.hold():
            for name, v in values.items():
                self.controls[name].value = v
        return self.state

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls with one redraw at the end (nested holds redraw once, at the outermost)."""
        outer, self._held = not self._held, True
        try:
            yield
        finally:
            if outer:
                self._held = False
                self.refresh()

    def refresh(self) -> None:
        """Recompute the state and redraw the figure inside the Output widget."""
        self._state = self.compute(**self.values)
        self.caption.value = self.describe(self._state)
        fig = self.draw(self._state)
        fig.set_dpi(fig.get_dpi() * self._scale)  # the PNG shrinks or grows as a whole, text included
        with self.out:
            clear_output(wait=True)
            display(fig)
        plt.close(fig)

    def static_figure(self, **values: Any) -> Figure:
        """The figure for `values` (defaults: the current ones), for readers without a live kernel."""
        return self.draw(self.compute(**{**self.values, **values}))

    def _on_change(self, _change: dict) -> None:
        if not self._held:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any):
        if self._state is None:
            self.refresh()
        return self.widget._repr_mimebundle_(**kwargs)
