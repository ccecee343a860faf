#!/usr/bin/env bash
# The example: start a QEMU (-machine none) and drive it with qmpsh: queries, a failing command, HMP, quit.
#   scripts/example.sh [PATH-TO-QMPSH]
set -euo pipefail
qmpsh=${1:-.build/release/qmpsh}
dir=$(mktemp -d /tmp/qmpkit-example-XXXXXX)
cleanup() {
    [ -f "$dir/qemu.pid" ] && kill "$(cat "$dir/qemu.pid")" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

# -daemonize returns once QEMU is initialised and its monitor socket is listening: no start-up race, no polling.
qemu-system-x86_64 -machine none -display none -nodefaults -daemonize -pidfile "$dir/qemu.pid" \
    -qmp "unix:$dir/qmp.sock,server=on,wait=off"

set -x
"$qmpsh" exec "$dir/qmp.sock" query-status
"$qmpsh" exec "$dir/qmp.sock" query-version --pretty
"$qmpsh" hmp "$dir/qmp.sock" 'info status'
"$qmpsh" exec "$dir/qmp.sock" object-add qom-type=memory-backend-ram id=mem1 size=1048576
"$qmpsh" exec "$dir/qmp.sock" qom-get path=/objects/mem1 property=size
"$qmpsh" exec "$dir/qmp.sock" stop
"$qmpsh" exec "$dir/qmp.sock" query-status
status=0; "$qmpsh" exec "$dir/qmp.sock" no-such-command || status=$?
echo "a failed command exits with $status"
"$qmpsh" exec "$dir/qmp.sock" quit
