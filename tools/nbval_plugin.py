"""What this project changes in nbval, in one pytest plugin (registered by the root conftest.py).

Each change names the nbval behaviour it works around; tests/test_nbval_plugin.py runs a small notebook with and
without each one and shows that it fails without it. Written for nbval 0.11.0 (pinned in uv.lock): on any other
version the plugin stops the run and asks for the changes to be checked again, rather than patching code it has
not seen. `NBVAL_PLUGIN_DISABLE=history,ipc` (comma-separated names from CHANGES) turns changes off, for those
tests only.
"""

from __future__ import annotations

import functools
import inspect
import os

import nbval
import nbval.kernel
import nbval.plugin
import pytest

from tools.kernels import kernel_manager

WRITTEN_FOR = "0.11.0"
OUTPUT_TIMEOUT_S = 60
CHANGES = {
    "history": "run cells with store_history=True (nbval issue #194: a trailing ';' shows Out[] under nbval)",
    "unbounded-iopub": "no receive limit on the client's sockets: nbval reads a cell's iopub messages only after "
                       "its reply (see #151), and past ZeroMQ's 1,000-message high-water mark a chatty cell loses "
                       "the rest, its final 'idle' among them: 'Timeout ... waiting for output'",
    "output-timeout": f"wait {OUTPUT_TIMEOUT_S} s, not 5, for each output message after the reply (nbval issues "
                      "#136, #231: hard-coded 5 s)",
    "skip-svg": "never compare image/svg+xml (matplotlib's SVG embeds dates and random ids; nbval #117: the "
                "skipped set is not configurable)",
    "ipc": "start kernels on IPC sockets, not TCP, so the tests run with no network at all (`unshare -n`); not "
           "an nbval bug",
}


def _disabled() -> set[str]:
    names = {n.strip() for n in os.environ.get("NBVAL_PLUGIN_DISABLE", "").split(",") if n.strip()}
    unknown = names - set(CHANGES)
    if unknown:
        raise pytest.UsageError(f"NBVAL_PLUGIN_DISABLE names no change {sorted(unknown)}; known: {sorted(CHANGES)}")
    return names


def _check_nbval() -> None:
    """Stop loudly on an nbval this plugin was not written for."""
    found = getattr(nbval, "__version__", "unknown")
    shapes = {
        "RunningKernel.execute_cell_input": (nbval.kernel.RunningKernel.execute_cell_input,
                                             ["self", "cell_input", "allow_stdin"]),
        "IPyNbCell.__init__": (nbval.plugin.IPyNbCell.__init__,
                               ["self", "name", "parent", "cell_num", "cell", "options"]),
    }
    changed = [name for name, (fn, params) in shapes.items() if list(inspect.signature(fn).parameters) != params]
    if found != WRITTEN_FOR or changed or not hasattr(nbval.kernel, "KernelManager"):
        raise pytest.UsageError(
            f"tools/nbval_plugin.py was written for nbval {WRITTEN_FOR}, and this is nbval {found}"
            + (f" (changed: {', '.join(changed)})" if changed else "")
            + ". Check each change in CHANGES against the new nbval (some may be fixed upstream), run "
            "tests/test_nbval_plugin.py, then update WRITTEN_FOR."
        )


# --- the changes -----------------------------------------------------------------------------------------------

def _execute_with_history(self, cell_input, allow_stdin=None):
    return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)


def _patient_init(original):
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.output_timeout = OUTPUT_TIMEOUT_S

    return __init__


def pytest_configure(config: pytest.Config) -> None:
    """Apply the changes once, before nbval collects a notebook."""
    if getattr(nbval, "_convnets_patched", False):
        return
    _check_nbval()
    off = _disabled()
    kernel, plugin = nbval.kernel.RunningKernel, nbval.plugin.IPyNbCell
    if "history" not in off:
        kernel.execute_cell_input = _execute_with_history
    if "output-timeout" not in off:
        plugin.__init__ = _patient_init(plugin.__init__)
    if not {"ipc", "unbounded-iopub"} <= off:
        nbval.kernel.KernelManager = functools.partial(kernel_manager, ipc="ipc" not in off,
                                                       unbounded_iopub="unbounded-iopub" not in off)
    nbval._convnets_patched = True


def pytest_collectstart(collector) -> None:
    """skip-svg: add image/svg+xml to what nbval does not compare."""
    if "skip-svg" not in _disabled() and collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
