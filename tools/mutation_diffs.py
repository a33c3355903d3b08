"""The diff of each named mutant, as JSON {name: diff}, in one process (`mutmut show` per mutant starts a process each:
about a second apiece for hundreds of survivors). Run inside mutmut's environment from the repository root, after
`mutmut run`; names come one per line on standard input. Used by `course.py mutation`."""

from __future__ import annotations

import json
import sys


def main() -> None:
    # mutmut 3 exposes these in mutmut.__main__ (what its own `show` command calls); the lock pins the version
    from mutmut.__main__ import find_mutant, get_diff_for_mutant

    names = [line.strip() for line in sys.stdin if line.strip()]
    json.dump({name: get_diff_for_mutant(name, path=find_mutant(name).path) for name in names}, sys.stdout)


if __name__ == "__main__":
    main()
