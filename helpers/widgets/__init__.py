"""Interactive explorers (ipywidgets), one module per lesson. Each is a view: it is given the lesson's own
functions (the notebook's `corr2d`, `pool2d`, networks ...) and draws what they compute, with a typed state
that tests/ checks against PyTorch's own operations.

Importing this package loads only the cross-correlation explorers; import the others from their modules, e.g.
`from helpers.widgets.pooling import PoolingExplorer`:

- correlation: CorrelationStepper, KernelEditor   - arithmetic: ConvArithmetic (padding and stride)
- channels: ChannelMixer                            - pooling: PoolingExplorer, CheckerboardExplorer
- lenet: DigitExplorer                              - inception: InceptionCostExplorer
- batchnorm: RunningStatsExplorer                   - resnet: GradientFlowExplorer
"""

from helpers.widgets._base import Explorer
from helpers.widgets.correlation import CorrelationStepper, KernelEditor, parse_kernel

__all__ = ["Explorer", "CorrelationStepper", "KernelEditor", "parse_kernel"]
