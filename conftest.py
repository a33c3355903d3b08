"""pytest set-up shared by the unit tests and nbval. It patches nothing itself: what the project changes in nbval
lives in tools/nbval_plugin.py, each change documented and tested."""

import os

pytest_plugins = ["tools.nbval_plugin"]

# The tested path trains on the CPU on every machine, so saved outputs hold on a GPU machine too; kernels that nbval
# and the tests start inherit this. A learner's own kernel has no such variable and trains on a GPU if there is one.
os.environ.setdefault("CONVNETS_DEVICE", "cpu")
