"""Kernels for tests and builds that talk over local IPC sockets, not TCP: they work with no network at all
(`unshare -n`, where even loopback is down) and print no unencrypted-TCP warning."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import KernelManager

_SOCKETS = Path(tempfile.mkdtemp(prefix="convnets-kernels-"))


def ipc_kernel_manager(**kwargs) -> KernelManager:
    """A KernelManager whose five channels are Unix sockets in a private temporary folder."""
    return KernelManager(transport="ipc", ip=str(_SOCKETS / f"k{uuid.uuid4().hex[:8]}"), **kwargs)


def execute_notebook(nb, cwd: str | Path, timeout: int = 600, kernel_name: str = "python3", **client_options) -> None:
    """Run every cell of `nb` in place in a fresh IPC kernel started in `cwd`, and always shut the kernel down."""
    from nbclient import NotebookClient

    km = ipc_kernel_manager(kernel_name=kernel_name)
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}},
                            **client_options)
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
