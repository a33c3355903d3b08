"""pytest set-up shared by the unit tests and nbval.

nbval 0.11 executes cells with store_history=False (nbval issue #194): a trailing ';' then no longer hides
a cell's value and Out[] differs from the saved notebook. Run cells as Jupyter does, with history on.
"""

import nbval.kernel
import nbval.plugin

from tools.kernels import ipc_kernel_manager

# Kernels over IPC sockets, so `unshare -n make test` (no network, loopback down) works too.
nbval.kernel.KernelManager = ipc_kernel_manager

_execute = nbval.kernel.RunningKernel.execute_cell_input


def _execute_with_history(self, cell_input, allow_stdin=None):
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


assert _execute.__code__.co_varnames[:3] == ("self", "cell_input", "allow_stdin"), "nbval changed; recheck the patch"
nbval.kernel.RunningKernel.execute_cell_input = _execute_with_history

# nbval waits only 5 s for each output message after a cell's reply; a training cell's stream of live-figure
# updates can lag more than that on a busy 2-core machine. Wait up to 60 s (the cell timeout still applies).
_cell_init = nbval.plugin.IPyNbCell.__init__


def _cell_init_patient(self, *args, **kwargs):
    _cell_init(self, *args, **kwargs)
    self.output_timeout = 60


nbval.plugin.IPyNbCell.__init__ = _cell_init_patient


def pytest_collectstart(collector):
    """Matplotlib SVG embeds dates and random ids: never compare it (PNG is not compared either)."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
