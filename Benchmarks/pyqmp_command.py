"""Python peer for any argument-less command: qemu.qmp's async client running COMMAND N times in sequence."""
import asyncio
import sys
import time

from qemu.qmp import QMPClient

sock, n, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]


async def main():
    client = QMPClient("bench")
    await client.connect(sock)
    start = time.perf_counter()
    for _ in range(n):
        await client.execute(command)
    elapsed = time.perf_counter() - start
    await client.disconnect()
    return elapsed


d = asyncio.run(main())
print(f"qemu.qmp-async {command}: {n} cmds in {d:.3f}s = {n/d:.0f} cmd/s, {d/n*1e6:.1f} us/cmd")
