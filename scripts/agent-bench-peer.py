#!/usr/bin/env python3
"""The peer for `qmpkit-bench agent`: a raw Python socket client for the QEMU guest agent that does the same
work (0xFF + guest-sync-delimited with a random id, discard up to the delimited reply, then guest-ping with ids),
with no library in between.  usage: agent-bench-peer.py SOCKET [COUNT]"""
import random
import socket
import statistics
import sys
import time


def sync(sock, buf):
    ident = random.randint(1, 1 << 40)
    sock.sendall(b'\xff{"execute":"guest-sync-delimited","arguments":{"id":%d}}\n' % ident)
    want = b'\xff{"return": %d}' % ident
    while want not in buf:
        buf += sock.recv(65536)
    return buf[buf.index(want) + len(want):]


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    connects = []
    for _ in range(50):
        start = time.perf_counter()
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        sync(sock, b"")
        connects.append(time.perf_counter() - start)
        sock.close()
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    buf = sync(sock, b"")
    pings = []
    for i in range(count + 200):
        start = time.perf_counter()
        sock.sendall(b'{"execute":"guest-ping","id":%d}\n' % i)
        want = b'"id": %d}' % i
        while want not in buf:
            buf += sock.recv(65536)
        buf = buf[buf.index(want) + len(want):]
        if i >= 200:
            pings.append(time.perf_counter() - start)
    connects.sort()
    pings.sort()
    print("connect+sync: median %d µs, p90 %d µs (50 connects)" % (statistics.median(connects) * 1e6, connects[45] * 1e6))
    print("guest-ping:   median %d µs, p90 %d µs (%d pings)" % (statistics.median(pings) * 1e6, pings[int(len(pings) * 0.9)] * 1e6, count))


main()
