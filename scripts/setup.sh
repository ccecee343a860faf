#!/usr/bin/env bash
# Sets up qmpkit on a fresh Debian machine: installs what it needs, builds it, and runs the example.
#
#   scripts/setup.sh              install packages, build the test guest, build qmpsh (release), run the example
#   scripts/setup.sh --deps-only  install packages and build the test guest only (what CI needs before `swift test`)
#
# Needs root (or sudo) for apt-get. Swift 6 must already be installed (https://swift.org/install).
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=false
[ "${1:-}" = "--deps-only" ] && deps_only=true

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(qemu-system-x86 qemu-utils libedit-dev libvirt-dev pkg-config busybox-static cpio genisoimage socat tmux gcc)
# Issue 16: the real-distribution guest (scripts/build-debian-guest.sh) is built with debootstrap and mkfs.ext4 -d.
packages+=(debootstrap e2fsprogs)
packages+=(grub-rescue-pc tesseract-ocr)  # issue 15: a real bootable ISO (GRUB menu) and OCR of screenshots
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# python qemu.qmp is the benchmark's reference peer and the reference parser of the qmp-shell differential test
# (QMPShellDifferentialTests, which fails without it); a failure here does not stop the set-up.
if ! python3 -c 'import qemu.qmp' 2>/dev/null; then
    echo "== installing python qemu.qmp (benchmark peer)"
    python3 -m pip install --quiet qemu.qmp 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages qemu.qmp 2>/dev/null \
        || echo "   (could not install qemu.qmp: the benchmark will leave its column out)"
fi

echo "== test guest"
scripts/build-test-guest.sh

command -v swift >/dev/null || { echo "setup: swift not found; install Swift 6 first" >&2; exit 1; }
$deps_only && exit 0

echo "== building qmpsh (release)"
swift build -c release --product qmpsh

echo "== example"
scripts/example.sh .build/release/qmpsh
