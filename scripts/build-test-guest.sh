#!/usr/bin/env bash
# build-test-guest.sh — build a tiny Linux test guest for qmpkit's integration tests.
#
# Output (default ~/.cache/qmpkit/guest, override with QMPKIT_GUEST_DIR):
#   vmlinuz     Debian kernel (the linux-image-*-amd64 that linux-image-amd64 depends on)
#   initrd.gz   static busybox + virtio/ATA/CD-ROM modules + /init (see below)
#   a.iso       ISO 9660, volume id DISC_A, holds /LABEL = "disc-A"   (for CD swap tests)
#   b.iso       ISO 9660, volume id DISC_B, holds /LABEL = "disc-B"
#   vmlinux     (when possible) the same kernel uncompressed, bootable with `-kernel vmlinux` through
#               QEMU's PVH entry: under TCG it reaches QMPKIT-GUEST-READY in ~5 s instead of ~10 s,
#               because the bzImage decompressor alone takes ~5 s there. ~66 MB.
#   guest.env   KERNEL=, INITRD=, ISO_A=, ISO_B= (absolute paths; KERNEL is vmlinuz), plus
#               KERNEL_PVH= (vmlinux) when it was built; written last, marks a complete build
#
# Kernel command line to use:   console=ttyS0 memhp_default_state=online
#   optional extras: quiet (faster boot: less serial output), qmpkit.noecho (see below)
#
# Example boot (TCG; KVM hangs this kernel on some hosts):
#   qemu-system-x86_64 -accel tcg -M pc -m 256,slots=2,maxmem=1G -smp 1,maxcpus=2 \
#     -nographic -nodefaults -serial stdio -kernel vmlinuz -initrd initrd.gz \
#     -append 'console=ttyS0 memhp_default_state=online' \
#     -drive if=none,id=cd0,media=cdrom,file=a.iso -device ide-cd,drive=cd0,bus=ide.1,id=cdrom0
#
# What the guest does on the serial console (ttyS0):
#   - mounts proc, sysfs, devtmpfs (so /dev/vda, /dev/sr0 appear), tmpfs on /tmp; /mnt exists
#   - insmods the bundled modules in dependency order, printing "insmod: NAME failed" for any failure
#   - lowers the console log level to 1 (kernel messages stay readable with `dmesg`) so that hot-plug
#     messages do not interleave with shell output
#   - starts the QEMU guest agent (qemu-ga, from Debian's qemu-guest-agent package, with the libraries it loads)
#     on the virtio-serial port org.qemu.guest_agent.0 when the machine has one (QEMU: -device virtio-serial-pci
#     -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0; qmpsh: --agent). init links
#     /dev/virtio-ports/NAME itself (no udev); /sbin/shutdown runs poweroff -f / reboot -f / halt -f, so
#     guest-shutdown works; /etc/os-release names the guest (ID=qmpkit-busybox)
#   - prints exactly one line "QMPKIT-GUEST-READY"
#   - runs an interactive busybox shell with controlling tty on the console, prompt "guest# "
#     (respawned if it exits). The tty is set to 4096 columns so long commands do not wrap.
#     Default: the tty echoes typed commands, and busybox ash's line editor writes ESC[6n (a cursor
#     position query) right after each prompt — strip it, or answer it, when parsing output.
#     With kernel argument `qmpkit.noecho` the tty echo is off and ash reads plain lines: the output
#     is just "guest# " followed by the command's output (no echo, no escape sequences).
#
# Idempotent: if the output is complete (and was built by this version of the script, see GUEST_FORMAT)
# it prints the paths and exits at once. Rebuild with QMPKIT_GUEST_REBUILD=1 (or --force).
#
# Host requirements (checked): busybox-static, cpio, genisoimage, dpkg, apt (apt-get/apt-cache), gzip,
# plus network access to the Debian archive. Nothing is installed on the host; the kernel package is only
# downloaded with `apt-get download` and unpacked with `dpkg -x` into a temporary directory.
set -euo pipefail

OUT="${QMPKIT_GUEST_DIR:-$HOME/.cache/qmpkit/guest}"
# Bump when the guest's content or behaviour changes, so existing caches get rebuilt.
GUEST_FORMAT=3
FORCE="${QMPKIT_GUEST_REBUILD:-0}"
for arg in "$@"; do
    case "$arg" in
        -f|--force) FORCE=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-test-guest: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

# Module load order matters (virtio_ring before virtio; otherwise virtio_pci fails silently).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_console virtio_blk failover net_failover virtio_net virtio_balloon scsi_common scsi_mod libata libahci ahci ata_piix cdrom sr_mod isofs"

log() { echo "build-test-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

print_paths() {
    cat "$OUT/guest.env"
    echo "ENV=$OUT/guest.env"
}

complete() {
    local f
    for f in vmlinuz initrd.gz a.iso b.iso guest.env; do
        [ -s "$OUT/$f" ] || return 1
    done
    [ "$(cat "$OUT/.format" 2>/dev/null || true)" = "$GUEST_FORMAT" ]
}

if [ "$FORCE" != 1 ] && complete; then
    print_paths
    exit 0
fi

# ---- host checks --------------------------------------------------------------------------------
need_cmd() { # command package
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install the Debian package '$2' (apt-get install -y $2)"
}
need_cmd dpkg dpkg
need_cmd dpkg-query dpkg
need_cmd apt-get apt
need_cmd apt-cache apt
need_cmd cpio cpio
need_cmd genisoimage genisoimage
need_cmd gzip gzip
need_cmd find findutils

if [ "$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null || true)" != "install ok installed" ]; then
    die "package 'busybox-static' is not installed (apt-get install -y busybox-static); a static busybox is required"
fi
BUSYBOX="$(dpkg -L busybox-static | grep -E '/bin/busybox$' | head -n 1 || true)"
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "busybox binary of package 'busybox-static' not found"

# ---- work area ----------------------------------------------------------------------------------
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/qmpkit-guest.XXXXXX")"
chmod 0711 "$WORK"   # apt-get download (as root) drops to user _apt, which must reach $WORK/deb
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# Serialize concurrent builds into the same folder.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
    if [ "$FORCE" != 1 ] && complete; then   # someone else finished while we waited
        print_paths
        exit 0
    fi
fi

# ---- kernel package -----------------------------------------------------------------------------
KPKG="$(apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: *\(linux-image-[^ ]*-amd64\)$/\1/p' | head -n 1 || true)"
[ -n "$KPKG" ] || die "cannot find the kernel package: 'apt-cache depends linux-image-amd64' names no linux-image-*-amd64 (run 'apt-get update'?)"
log "kernel package: $KPKG"

mkdir -p "$WORK/deb" "$WORK/kpkg"
chmod 0777 "$WORK/deb"   # lets apt's _apt sandbox user write there when run as root
(cd "$WORK/deb" && apt-get download -q "$KPKG" >&2) || die "apt-get download $KPKG failed"
DEB="$(ls "$WORK"/deb/*.deb 2>/dev/null | head -n 1 || true)"
[ -n "$DEB" ] || die "apt-get download $KPKG produced no .deb"
dpkg -x "$DEB" "$WORK/kpkg"

VMLINUZ="$(ls "$WORK"/kpkg/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)"
[ -n "$VMLINUZ" ] || die "no boot/vmlinuz-* in $KPKG"
KVER="${VMLINUZ##*/vmlinuz-}"
MODDIR=""
for d in "$WORK/kpkg/lib/modules/$KVER" "$WORK/kpkg/usr/lib/modules/$KVER"; do
    [ -d "$d" ] && MODDIR="$d" && break
done
[ -n "$MODDIR" ] || die "no modules directory for $KVER in $KPKG"
log "kernel version: $KVER"

# ---- uncompressed PVH kernel (optional speed-up) -------------------------------------------------
# Under TCG the bzImage's own decompressor needs ~5 s before the kernel prints anything. QEMU can boot the
# uncompressed ELF vmlinux directly through its PVH entry point (CONFIG_PVH=y), which skips that step.
extract_vmlinux() { # bzImage out  -> 0 if out is an ELF image
    local img="$1" out="$2" setup_sects payload_offset payload_length start magic
    setup_sects="$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' \n')"
    if [ "$setup_sects" = 0 ]; then setup_sects=4; fi
    payload_offset="$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' \n')"
    payload_length="$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' \n')"
    [ -n "$payload_offset" ] && [ -n "$payload_length" ] || return 1
    start=$(( (setup_sects + 1) * 512 + payload_offset ))
    magic="$(od -An -tx1 -j "$start" -N6 "$img" | tr -d ' \n')"
    local dec
    case "$magic" in
        fd377a585a00*) if command -v xz >/dev/null 2>&1; then dec="xz -dc --single-stream"; else dec="$BUSYBOX xz -dc"; fi ;;
        1f8b*) dec="gzip -dc" ;;
        28b52ffd*) command -v zstd >/dev/null 2>&1 || return 1; dec="zstd -q -dc" ;;
        *) return 1 ;;
    esac
    # The payload may end with a 4-byte size trailer; decompressors may complain about it, so only the
    # result is checked.
    tail -c +"$((start + 1))" "$img" | head -c "$payload_length" | $dec >"$out" 2>/dev/null || true
    [ "$(od -An -tx1 -N4 "$out" 2>/dev/null | tr -d ' \n')" = 7f454c46 ]
}
HAVE_PVH=0
if grep -q '^CONFIG_PVH=y' "$WORK/kpkg/boot/config-$KVER" 2>/dev/null \
   && extract_vmlinux "$VMLINUZ" "$WORK/vmlinux"; then
    HAVE_PVH=1
else
    log "note: no PVH-bootable vmlinux extracted (only vmlinuz will be provided)"
fi

# ---- guest agent (qemu-ga and the libraries it loads) -------------------------------------------
# ---- (issue 16) the agent's packages are only downloaded and unpacked, like the kernel ----------
AGENT_PKGS="qemu-guest-agent libglib2.0-0 libnuma1 liburing2 libudev1 libpcre2-8-0 libc6"
mkdir -p "$WORK/agent-deb" "$WORK/agent"
chmod 0777 "$WORK/agent-deb"
(cd "$WORK/agent-deb" && apt-get download -q $AGENT_PKGS >&2) || die "apt-get download $AGENT_PKGS failed"
for deb in "$WORK"/agent-deb/*.deb; do dpkg -x "$deb" "$WORK/agent"; done
QEMU_GA="$WORK/agent/usr/bin/qemu-ga"
[ -x "$QEMU_GA" ] || QEMU_GA="$WORK/agent/usr/sbin/qemu-ga"
[ -x "$QEMU_GA" ] || die "qemu-guest-agent has no qemu-ga binary"
AGENT_LIBPATH="$WORK/agent/lib/x86_64-linux-gnu:$WORK/agent/usr/lib/x86_64-linux-gnu"

# ---- initramfs tree -----------------------------------------------------------------------------
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,root,etc,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
chmod 0755 "$ROOT/bin/busybox"
# Applet symlinks (paths relative to /, e.g. "usr/bin/awk").
"$BUSYBOX" --list-full | while read -r applet; do
    [ -n "$applet" ] || continue
    [ "$applet" = "bin/busybox" ] && continue
    [ -e "$ROOT/$applet" ] || [ -L "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done
[ -e "$ROOT/bin/sh" ] || ln -s busybox "$ROOT/bin/sh"

# The agent: the binary, the libraries it loads (resolved in the unpacked packages first) and the loader.
cp "$QEMU_GA" "$ROOT/usr/bin/qemu-ga"
mkdir -p "$ROOT/lib/x86_64-linux-gnu" "$ROOT/lib64" "$ROOT/var/run" "$ROOT/run" "$ROOT/var/log"
LD_LIBRARY_PATH="$AGENT_LIBPATH" ldd "$QEMU_GA" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
    cp -L "$lib" "$ROOT/lib/x86_64-linux-gnu/"
done
LOADER="$(ls "$WORK"/agent/lib64/ld-linux-x86-64.so.2 "$WORK"/agent/usr/lib64/ld-linux-x86-64.so.2 2>/dev/null | head -n 1 || true)"
[ -n "$LOADER" ] || LOADER=/lib64/ld-linux-x86-64.so.2
cp -L "$LOADER" "$ROOT/lib64/ld-linux-x86-64.so.2"
[ "$(ls "$ROOT/lib/x86_64-linux-gnu" | wc -l)" -ge 5 ] || die "could not collect qemu-ga's libraries"
rm -f "$ROOT/sbin/shutdown"
cat >"$ROOT/sbin/shutdown" <<'SHUTDOWN'
#!/bin/sh
# qemu-ga runs `shutdown -P|-H|-r +0 MESSAGE`; there is no init system here to ask.
case " $* " in
    *" -r "*) exec reboot -f ;;
    *" -H "*) exec halt -f ;;
    *) exec poweroff -f ;;
esac
SHUTDOWN
chmod 0755 "$ROOT/sbin/shutdown"
printf '%s\n' 'ID=qmpkit-busybox' 'NAME="qmpkit test guest"' 'PRETTY_NAME="qmpkit busybox test guest"' \
    'VERSION_ID=3' >"$ROOT/etc/os-release"

decompress_to() { # src dst
    case "$1" in
        *.ko) cp "$1" "$2" ;;
        *.ko.xz)
            if command -v xz >/dev/null 2>&1; then xz -dc "$1" >"$2"; else "$BUSYBOX" xz -dc "$1" >"$2"; fi ;;
        *.ko.gz) gzip -dc "$1" >"$2" ;;
        *.ko.zst)
            command -v zstd >/dev/null 2>&1 || die "module $1 is zstd-compressed; install the Debian package 'zstd'"
            zstd -q -dc "$1" >"$2" ;;
        *) die "unknown module format: $1" ;;
    esac
}

BUNDLED=""
for m in $MODULES; do
    src="$(find "$MODDIR" \( -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.gz" -o -name "$m.ko.zst" \) \
           -print -quit 2>/dev/null || true)"
    if [ -z "$src" ]; then
        if grep -qE "/$m\.ko$" "$MODDIR/modules.builtin" 2>/dev/null; then
            log "module $m is built into the kernel; skipped"
        else
            log "warning: module $m not found in $KPKG; skipped"
        fi
        continue
    fi
    decompress_to "$src" "$ROOT/lib/modules/$m.ko"
    BUNDLED="$BUNDLED $m"
done
BUNDLED="${BUNDLED# }"
log "bundled modules: $BUNDLED"

cat >"$ROOT/init" <<EOF
#!/bin/busybox sh
# qmpkit test guest init (generated by build-test-guest.sh; kernel $KVER)
MODULES="$BUNDLED"
EOF
cat >>"$ROOT/init" <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=vt100
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec 0</dev/console 1>/dev/console 2>&1
hostname guest
for m in $MODULES; do
    insmod "/lib/modules/$m.ko" 2>/dev/null || echo "insmod: $m failed"
done
# The guest agent, if the machine has its port: /dev/virtio-ports/NAME -> /dev/vportNpM (udev does this
# elsewhere). Restarted if it exits; its log stays off the console.
mkdir -p /dev/virtio-ports
for port in /sys/class/virtio-ports/vport*; do
    [ -e "$port/name" ] || continue
    ln -sf "/dev/${port##*/}" "/dev/virtio-ports/$(cat "$port/name")"
done
if [ -e /dev/virtio-ports/org.qemu.guest_agent.0 ]; then
    (while true; do
        qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -l /var/log/qemu-ga.log
        sleep 1
    done) </dev/null >/dev/null 2>&1 &
fi
# Keep kernel messages (hot-plug notices etc.) off the console; `dmesg` still shows them.
echo 1 >/proc/sys/kernel/printk
echo QMPKIT-GUEST-READY
export PS1='guest# '
# Kernel argument qmpkit.noecho: turn tty echo off. Busybox ash then reads plain lines (no line editing):
# no echo of typed commands and no "ESC[6n" cursor-position query after each prompt.
QMPKIT_STTY="cols 4096 rows 50"
case " $(cat /proc/cmdline) " in *" qmpkit.noecho "*) QMPKIT_STTY="$QMPKIT_STTY -echo" ;; esac
export QMPKIT_STTY
while true; do
    setsid cttyhack sh -c 'stty $QMPKIT_STTY 2>/dev/null; unset QMPKIT_STTY; exec sh'
    sleep 1
done
EOF
chmod 0755 "$ROOT/init"

# ---- assemble outputs in a staging dir, then move into place -----------------------------------
STAGE="$WORK/stage"
mkdir -p "$STAGE"
cp "$VMLINUZ" "$STAGE/vmlinuz"
if [ "$HAVE_PVH" = 1 ]; then mv "$WORK/vmlinux" "$STAGE/vmlinux"; fi
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -9 >"$STAGE/initrd.gz"

make_iso() { # name volid label
    local dir="$WORK/iso-$1"
    mkdir -p "$dir"
    printf '%s\n' "$3" >"$dir/LABEL"
    genisoimage -quiet -V "$2" -r -J -o "$STAGE/$1.iso" "$dir"
}
make_iso a DISC_A disc-A
make_iso b DISC_B disc-B

rm -f "$OUT/guest.env" "$OUT/.format" "$OUT/vmlinux"
for f in vmlinuz vmlinux initrd.gz a.iso b.iso; do
    if [ -e "$STAGE/$f" ]; then mv -f "$STAGE/$f" "$OUT/$f"; fi
done
{
    echo "KERNEL=$OUT/vmlinuz"
    echo "INITRD=$OUT/initrd.gz"
    echo "ISO_A=$OUT/a.iso"
    echo "ISO_B=$OUT/b.iso"
    if [ "$HAVE_PVH" = 1 ]; then echo "KERNEL_PVH=$OUT/vmlinux"; fi
} >"$OUT/guest.env.tmp"
echo "$GUEST_FORMAT" >"$OUT/.format"
mv -f "$OUT/guest.env.tmp" "$OUT/guest.env"

log "built guest for kernel $KVER in $OUT"
print_paths
