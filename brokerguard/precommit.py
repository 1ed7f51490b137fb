"""The pre-commit hook that passes the staged files: `python -m brokerguard.precommit SCAN-ARGS -- FILE...`.

pre-commit appends the staged file names after the hook's args, which end with `--`; the whole
stack (the paths in SCAN-ARGS or the config file) is judged, and only findings in those files gate
(`brokerguard scan --changed-files`).
"""

from __future__ import annotations

import io
import sys

from brokerguard import cli


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("brokerguard: error: the hook's args must end with -- (pre-commit appends the staged files after it)",
              file=sys.stderr)
        return cli.EXIT_INPUT
    cut = argv.index("--")
    scan_args, staged = argv[:cut], argv[cut + 1:]
    real_stdin, sys.stdin = sys.stdin, io.StringIO("".join(f"{f}\n" for f in staged))
    try:
        return cli.main(["scan", *scan_args, "--changed-files", "-"])
    finally:
        sys.stdin = real_stdin


if __name__ == "__main__":
    raise SystemExit(main())
