"""Kernels for the tests and the builds.

- They talk over local IPC sockets, not TCP, so they work with no network at all (`unshare -n`, where even loopback
  is down) and print no unencrypted-TCP warning. Windows has no IPC transport in ZeroMQ: there they use TCP on
  127.0.0.1, as Jupyter does.
- The client's sockets have no receive high-water mark. A training cell sends thousands of progress-bar and
  live-figure updates; nbval reads them only after the cell's reply, and with ZeroMQ's default limit (1,000 queued
  messages a socket) the kernel drops the rest, the cell's final `idle` among them ("Timeout ... waiting for
  output"). Unbounded, ZeroMQ's own I/O thread queues them all while Python is busy elsewhere.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import zmq
from jupyter_client.manager import KernelManager

_SOCKETS = Path(tempfile.mkdtemp(prefix="convnets-kernels-"))
_UNBOUNDED = zmq.Context()
_UNBOUNDED.setsockopt(zmq.RCVHWM, 0)  # a default for every socket this context creates: no receive limit


class _UnboundedClientManager(KernelManager):
    """A KernelManager whose clients create their sockets in the unbounded context."""

    def client(self, **kwargs):
        kwargs.setdefault("context", _UNBOUNDED)  # shared; a client that did not create it never destroys it
        return super().client(**kwargs)


def kernel_manager(ipc: bool = True, unbounded_iopub: bool = True, **kwargs) -> KernelManager:
    """A KernelManager on IPC sockets in a private temporary folder (TCP on Windows), its clients unbounded."""
    if ipc and os.name != "nt":
        kwargs.update(transport="ipc", ip=str(_SOCKETS / f"k{uuid.uuid4().hex[:8]}"))
    return (_UnboundedClientManager if unbounded_iopub else KernelManager)(**kwargs)


def execute_notebook(nb, cwd: str | Path, timeout: int = 600, kernel_name: str = "python3",
                     **client_options) -> None:
    """Run every cell of `nb` in place in a fresh kernel started in `cwd`, and always shut the kernel down."""
    from nbclient import NotebookClient

    km = kernel_manager(kernel_name=kernel_name)
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}},
                            **client_options)
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
