"""`newsetl` and `python -m newsetl`: a Ctrl-C while the command is still importing its
libraries (seconds on a busy machine) ends it with one line, not an import traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # the shell's code for a command ended by SIGINT


def main() -> int:
    try:
        from newsetl.cli import main as run
    except KeyboardInterrupt:
        print("newsetl: interrupted", file=sys.stderr)
        return INTERRUPTED
    return run()


if __name__ == "__main__":
    sys.exit(main())
