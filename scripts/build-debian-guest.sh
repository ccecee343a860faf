#!/usr/bin/env bash
# build-debian-guest.sh — build a real Debian 12 guest for qmpkit's real-distribution tests (issue 16).
#
# Output (default ~/.cache/qmpkit/debian, override with QMPKIT_DEBIAN_DIR):
#   debian.qcow2   compressed qcow2 root file system (ext4 on the whole disk, /dev/vda); use it as the backing
#                  file of a throw-away overlay, never boot it directly
#   vmlinuz        the image's own kernel;  initrd.img  its initramfs (MODULES=list: virtio_pci, virtio_blk, ext4)
#   debian.env     KERNEL=, INITRD=, IMAGE=, APPEND= (absolute paths); written last, marks a complete build
#
# The guest: debootstrap --variant=minbase bookworm with systemd-sysv, udev, dbus (logind: system_powerdown and
# guest-shutdown need it), the kernel, qemu-guest-agent (started by udev when the port
# org.qemu.guest_agent.0 appears), kmod, iproute2, util-linux; root logged in automatically on ttyS0,
# prompt "root@debian:~# " (preceded by ESC[?2004h), the terminal echoes typed commands; hostname debian.
# Boot: -kernel vmlinuz -initrd initrd.img -append "$APPEND" -drive file=OVERLAY,if=virtio (a prompt in ~20 s
# under TCG).
#
# Idempotent: a complete build of this FORMAT is reused at once; QMPKIT_DEBIAN_REBUILD=1 (or --force) rebuilds.
# Needs: debootstrap, e2fsprogs (mkfs.ext4 -d), qemu-utils, network access to the Debian archive; run as root.
# Takes about 2 minutes on an idle machine.
set -euo pipefail

OUT="${QMPKIT_DEBIAN_DIR:-$HOME/.cache/qmpkit/debian}"
FORMAT=1
FORCE="${QMPKIT_DEBIAN_REBUILD:-0}"
for arg in "$@"; do
    case "$arg" in
        -f|--force) FORCE=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-debian-guest: unknown argument: $arg" >&2; exit 2 ;;
    esac
done
log() { echo "build-debian-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

complete() {
    local f
    for f in debian.qcow2 vmlinuz initrd.img debian.env; do [ -s "$OUT/$f" ] || return 1; done
    [ "$(cat "$OUT/.format" 2>/dev/null || true)" = "$FORMAT" ]
}
print_paths() { cat "$OUT/debian.env"; echo "ENV=$OUT/debian.env"; }

if [ "$FORCE" != 1 ] && complete; then print_paths; exit 0; fi

for tool in debootstrap mkfs.ext4 qemu-img chroot; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (apt-get install -y debootstrap e2fsprogs qemu-utils)"
done
[ "$(id -u)" = 0 ] || die "debootstrap needs root"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"
exec 9>"$OUT/.lock"
flock 9
if [ "$FORCE" != 1 ] && complete; then print_paths; exit 0; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/qmpkit-debian.XXXXXX")"
cleanup() {
    umount "$WORK/rootfs/proc" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
ROOTFS="$WORK/rootfs"

# The mirror this machine's apt uses (deb822 or one-line sources), else Debian's CDN.
MIRROR="$(grep -hsE '^URIs: .*/debian/?$' /etc/apt/sources.list.d/*.sources | head -n 1 | awk '{print $2}' || true)"
[ -n "$MIRROR" ] || MIRROR="$(grep -hsE '^deb [^ ]*/debian/? bookworm ' /etc/apt/sources.list | head -n 1 | awk '{print $2}' || true)"
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
log "debootstrap bookworm from $MIRROR"

debootstrap --variant=minbase \
    --include=systemd-sysv,udev,dbus,linux-image-amd64,qemu-guest-agent,kmod,iproute2,util-linux,initramfs-tools \
    bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }

echo debian >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 debian\n' >"$ROOTFS/etc/hosts"
echo '/dev/vda / ext4 defaults 0 1' >"$ROOTFS/etc/fstab"
mkdir -p "$ROOTFS/etc/systemd/system/serial-getty@ttyS0.service.d"
cat >"$ROOTFS/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,38400,9600 %I $TERM
UNIT
# A small initramfs: only what mounts the root disk.
sed -i 's/^MODULES=.*/MODULES=list/' "$ROOTFS/etc/initramfs-tools/initramfs.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$ROOTFS/etc/initramfs-tools/modules"
mount -t proc proc "$ROOTFS/proc"
chroot "$ROOTFS" update-initramfs -u -k all >"$WORK/initramfs.log" 2>&1 \
    || { tail -n 20 "$WORK/initramfs.log" >&2; die "update-initramfs failed"; }
umount "$ROOTFS/proc"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* \
    "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*

STAGE="$WORK/stage"
mkdir -p "$STAGE"
cp "$(ls "$ROOTFS"/boot/vmlinuz-* | head -n 1)" "$STAGE/vmlinuz"
cp "$(ls "$ROOTFS"/boot/initrd.img-* | head -n 1)" "$STAGE/initrd.img"
truncate -s 2G "$WORK/root.raw"
mkfs.ext4 -q -F -L debian-root -d "$ROOTFS" "$WORK/root.raw"
qemu-img convert -c -f raw -O qcow2 "$WORK/root.raw" "$STAGE/debian.qcow2"

rm -f "$OUT/debian.env" "$OUT/.format"
for f in vmlinuz initrd.img debian.qcow2; do mv -f "$STAGE/$f" "$OUT/$f"; done
{
    echo "KERNEL=$OUT/vmlinuz"
    echo "INITRD=$OUT/initrd.img"
    echo "IMAGE=$OUT/debian.qcow2"
    echo "APPEND='root=/dev/vda rw console=ttyS0 quiet memhp_default_state=online'"
} >"$OUT/debian.env.tmp"
echo "$FORMAT" >"$OUT/.format"
mv -f "$OUT/debian.env.tmp" "$OUT/debian.env"
log "built $(du -h "$OUT/debian.qcow2" | cut -f1) Debian 12 guest in $OUT"
print_paths
