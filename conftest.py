"""pytest set-up shared by the unit tests and nbval. It patches nothing itself: what the project changes in nbval
lives in tools/nbval_plugin.py, each change documented and tested. Under mutation testing it only orders tests."""

import json
import os
from pathlib import Path

pytest_plugins = ["tools.nbval_plugin"]

# The tested path trains on the CPU on every machine, so saved outputs hold on a GPU machine too; kernels that nbval
# and the tests start inherit this. A learner's own kernel has no such variable and trains on a GPU if there is one.
os.environ.setdefault("CONVNETS_DEVICE", "cpu")
# Under the tests a chapter checks the results it ships for its slide deck against what it just trained
# (helpers/shipped.py); the build writes them instead (CONVNETS_SHIP=write), a learner's kernel does neither.
os.environ.setdefault("CONVNETS_SHIP", "check")


def pytest_collection_modifyitems(config, items):
    """Under mutmut, run a mutant's tests fastest first: mutmut stops at the first failure (-x), so a fault that a
    quick test catches no longer waits for the slow ones (MNIST preparation, widgets). Orders only; selects nothing.
    Outside mutmut (no mutant under test) the order is pytest's own."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    stats = next((p for p in (Path("mutmut-stats.json"), Path("mutants", "mutmut-stats.json")) if p.is_file()), None)
    if stats is None:
        return
    seconds = json.loads(stats.read_text(encoding="utf-8")).get("duration_by_test", {})
    items.sort(key=lambda item: seconds.get(item.nodeid, 0.0))
