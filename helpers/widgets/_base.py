"""The Explorer base: a row of ipywidgets controls and an Output that redraws a figure from them."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import clear_output, display
from matplotlib.figure import Figure


class Explorer:
    """Subclasses define `compute(**values) -> dict` (tested) and `draw(state) -> Figure` (shown)."""

    def __init__(self, controls: dict[str, W.ValueWidget], title: str = "") -> None:
        self.controls = controls
        self.out = W.Output(layout=W.Layout(min_height="120px"))
        self.state: dict[str, Any] = {}
        for control in controls.values():
            control.observe(self._on_change, names="value")
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.caption = W.HTML(layout=W.Layout(margin="0 0 0 8px"))
        self.caption.add_class("explorer-caption")
        self.widget = W.VBox([*header, W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
                              self.caption, self.out])
        self.refresh()

    def compute(self, **values: Any) -> dict[str, Any]:
        """Everything the picture shows, as plain numbers and tensors."""
        raise NotImplementedError

    def draw(self, state: dict[str, Any]) -> Figure:
        """The picture for one state."""
        raise NotImplementedError

    def describe(self, state: dict[str, Any]) -> str:
        """A one-line text summary shown above the picture (override; empty hides it)."""
        return ""

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values: Any) -> dict[str, Any]:
        """Move controls as a learner would (each move redraws); returns the new state."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)}; this explorer has {sorted(self.controls)}.")
        for name, v in values.items():
            self.controls[name].value = v
        return self.state

    def refresh(self) -> None:
        """Recompute the state and redraw the figure inside the Output widget."""
        self.state = self.compute(**self.values)
        self.caption.value = self.describe(self.state)
        fig = self.draw(self.state)
        with self.out:
            clear_output(wait=True)
            display(fig)
        plt.close(fig)

    def static_figure(self, **values: Any) -> Figure:
        """The figure for `values` (defaults: the current ones), for readers without a live kernel."""
        return self.draw(self.compute(**{**self.values, **values}))

    def _on_change(self, _change: dict) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.widget._repr_mimebundle_(**kwargs)
