"""Reads lines on stdin; prints, for each, what qmp-shell's own parser (pip's qemu.qmp) makes of it, as one JSON
line: the QMP request, null for nothing to send, or {"error": ...}. Used by the differential test of qmpsh's input
syntax (Tests/QMPTests/QMPShellDifferentialTests.swift)."""
import json
import sys

from qemu.qmp.qmp_shell import QMPShell


class Parser(QMPShell):
    """QMPShell without a connection: only its command-line parser."""

    def __init__(self):  # pylint: disable=super-init-not-called
        self._transmode = False
        self._actions = []

    def __del__(self):
        pass


def main():
    parser = Parser()
    for line in sys.stdin.read().split("\n")[:-1]:
        parser._transmode = False
        parser._actions = []
        try:
            result = parser._build_cmd(line)
        except Exception as error:  # qmp-shell reports every parse failure and sends nothing
            result = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result))


main()
