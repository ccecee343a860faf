#!/usr/bin/env python3
"""Prints a QEMU's introspected QMP schema (the reply of `query-qmp-schema`) as JSON.

    scripts/qapi/live-schema.py QEMU-BINARY > schema.json

Starts QEMU with `-M none` and a QMP socket in a private temporary folder, asks, and quits it. The generator takes
the file with `--live VERSION=schema.json` to check that every command and event of that QEMU is typed.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory(prefix="qmpkit-schema-") as folder:
        path = os.path.join(folder, "qmp.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        server.settimeout(60)
        qemu = subprocess.Popen([sys.argv[1], "-M", "none", "-display", "none", "-nodefaults",
                                 "-qmp", f"unix:{path}"], stdin=subprocess.DEVNULL)
        try:
            connection, _ = server.accept()
            connection.settimeout(60)
            reader = connection.makefile("rb")

            def reply():
                while True:
                    message = json.loads(reader.readline())
                    if "return" in message or "error" in message:
                        return message

            json.loads(reader.readline())  # the greeting
            for command in ("qmp_capabilities", "query-qmp-schema"):
                connection.sendall(json.dumps({"execute": command}).encode() + b"\n")
                answer = reply()
            if "error" in answer:
                raise SystemExit(f"query-qmp-schema: {answer['error']}")
            json.dump(answer["return"], sys.stdout)
            connection.sendall(b'{"execute":"quit"}\n')
        finally:
            try:
                qemu.wait(timeout=30)
            except subprocess.TimeoutExpired:
                qemu.kill()
                qemu.wait()


if __name__ == "__main__":
    main()
