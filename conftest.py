"""pytest set-up shared by the unit tests and nbval.

nbval 0.11 executes cells with store_history=False (nbval issue #194): a trailing ';' then no longer hides
a cell's value and Out[] differs from the saved notebook. Run cells as Jupyter does, with history on.
"""

import os
import time
from collections import deque
from queue import Empty

import nbval.kernel
import nbval.plugin

from tools.kernels import ipc_kernel_manager

# The tested path trains on the CPU on every machine, so saved outputs hold on a GPU machine too; kernels that nbval
# and the tests start inherit this. A learner's own kernel has no such variable and trains on a GPU if there is one.
os.environ.setdefault("CONVNETS_DEVICE", "cpu")

# Kernels over IPC sockets, so `unshare -n make test` (no network, loopback down) works too.
nbval.kernel.KernelManager = ipc_kernel_manager

_execute = nbval.kernel.RunningKernel.execute_cell_input


def _execute_with_history(self, cell_input, allow_stdin=None):
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


assert _execute.__code__.co_varnames[:3] == ("self", "cell_input", "allow_stdin"), "nbval changed; recheck the patch"
nbval.kernel.RunningKernel.execute_cell_input = _execute_with_history

# nbval reads a cell's iopub messages only after the cell's reply has come. A training cell sends progress-bar and
# live-figure updates all along; past ZMQ's high-water mark (1,000 messages a socket) the rest are dropped, the
# final `idle` among them, and nbval then fails with "Timeout ... waiting for output". Keep reading iopub into a
# buffer while waiting for the reply, and hand the buffered messages out first (tests/test_nbval_long_cells.py).
_get_message = nbval.kernel.RunningKernel.get_message


def _iopub_buffer(kernel) -> deque:
    return kernel.__dict__.setdefault("_iopub_buffer", deque())


def _get_message_buffered(self, stream, timeout=None):
    buffer = _iopub_buffer(self)
    if stream == "iopub" and buffer:
        return buffer.popleft()
    return _get_message(self, stream, timeout=timeout)


def _await_reply_draining(self, msg_id, timeout=None):
    buffer = _iopub_buffer(self)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        while self.kc.iopub_channel.msg_ready():
            buffer.append(self.kc.get_iopub_msg(timeout=0))
        wait = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
        if wait <= 0:
            raise Empty
        try:
            msg = self.kc.get_shell_msg(timeout=wait)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["content"]["status"] == "aborted":
                raise RuntimeError("Kernel aborted execution request")
            return


nbval.kernel.RunningKernel.get_message = _get_message_buffered
nbval.kernel.RunningKernel.await_reply = _await_reply_draining

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
