"""Interactive explorers (ipywidgets), one module per lesson; each computes a tested state and draws it.

Importing this package loads only the correlation explorers (notebook 01); import the others from their
modules, e.g. `from helpers.widgets.pooling import PoolingExplorer`:

- arithmetic: ConvArithmetic (02)        - channels: ChannelMixer (03)
- pooling: PoolingExplorer, CheckerboardExplorer (04)
- lenet: DigitExplorer (05)              - inception: InceptionCostExplorer (06)
- batchnorm: RunningStatsExplorer (07)   - resnet: GradientFlowExplorer (08)
"""

from helpers.widgets._base import Explorer
from helpers.widgets.correlation import CorrelationStepper, KernelEditor, apply_kernel, parse_kernel

__all__ = ["Explorer", "CorrelationStepper", "KernelEditor", "apply_kernel", "parse_kernel"]
