"""Interactive explorers (ipywidgets), one module per lesson; each computes a tested state and draws it."""

from helpers.widgets._base import Explorer
from helpers.widgets.correlation import CorrelationStepper, KernelEditor, apply_kernel, parse_kernel

__all__ = ["Explorer", "CorrelationStepper", "KernelEditor", "apply_kernel", "parse_kernel"]
