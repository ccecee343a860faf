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
status=0; "$qmpsh" exec "$dir/qmp.sock" device_del id=nope || status=$?
echo "a failed command exits with $status"
status=0; "$qmpsh" exec "$dir/qmp.sock" query-stauts || status=$?
echo "a misspelt command is caught before sending, exit $status"
"$qmpsh" exec "$dir/qmp.sock" quit

# Boot the test guest (TCG) with qmpsh and run the example scripts on it: hot-plug and unplug a virtio disk made
# with qmpsh img, then swap the CD; each script checks the guest side through the serial console.
set +x
guest_env=${QMPKIT_GUEST_DIR:-$HOME/.cache/qmpkit/guest}/guest.env
if [ -f "$guest_env" ]; then
    . "$guest_env"
    here=$(cd "$(dirname "$0")" && pwd)
    boot=(--accel tcg -m 256,slots=2,maxmem=1G --smp 1,maxcpus=2 --kernel "${KERNEL_PVH:-$KERNEL}" --initrd "$INITRD"
          --append "console=ttyS0 memhp_default_state=online quiet qmpkit.noecho" --cdrom "$ISO_A" --powerdown-timeout 0)
    set -x
    "$qmpsh" img create -f qcow2 "$dir/d1.qcow2" 64M
    "$qmpsh" run "$here/examples/hotplug-disk.qmp" --var "disk=$dir/d1.qcow2" "${boot[@]}"
    "$qmpsh" run "$here/examples/cd-swap.qmp" --var "iso_b=$ISO_B" "${boot[@]}"
fi
