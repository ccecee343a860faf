#!/usr/bin/env python3
"""The reference for qmpkit-bench migration: drive one live migration with bare QMP over a socket.

usage: pymigrate.py MONITOR_SOCKET URI
Sets the `events` capability, sends `migrate`, waits for the MIGRATION event with a final status (no polling),
then prints one JSON line: wall_ms (migrate sent -> final event read), and QEMU's total-time and downtime.
"""
import json
import socket
import sys
import time


def main():
    path, uri = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    stream = sock.makefile("rw")
    stream.readline()  # greeting

    def command(name, **arguments):
        stream.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        stream.flush()
        while True:
            message = json.loads(stream.readline())
            if "event" not in message:
                return message

    command("qmp_capabilities")
    command("migrate-set-capabilities", capabilities=[{"capability": "events", "state": True}])
    start = time.monotonic()
    command("migrate", uri=uri)
    while True:
        message = json.loads(stream.readline())
        if message.get("event") == "MIGRATION" and message["data"]["status"] in ("completed", "failed", "cancelled"):
            break
    wall = (time.monotonic() - start) * 1000
    info = command("query-migrate")["return"]
    print(json.dumps({"wall_ms": wall, "status": info.get("status"), "total_time_ms": info.get("total-time"),
                      "downtime_ms": info.get("downtime"), "error": info.get("error-desc")}))


if __name__ == "__main__":
    main()
