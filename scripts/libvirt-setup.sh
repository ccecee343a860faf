#!/usr/bin/env bash
# Installs libvirt (Debian 12, no systemd needed) and starts virtlogd and libvirtd in the background, so qmpkit can
# reach libvirt-run guests (`libvirt:DOMAIN`) and its libvirt tests can run.
#
#   scripts/libvirt-setup.sh            install if missing, configure, start the daemons, wait for the socket
#   scripts/libvirt-setup.sh --check    exit 0 when libvirtd answers on its socket, 1 otherwise (changes nothing)
#
# Needs root: it installs packages, writes /etc/libvirt/qemu.conf and runs the daemons as root. Guests run as root
# with no security driver (`security_driver = "none"`): fine for a test machine, not for a shared host.
set -euo pipefail

socket=/var/run/libvirt/libvirt-sock
deadline_seconds=${LIBVIRT_SETUP_TIMEOUT:-60}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

answers() { [ -S "$socket" ] && virsh -c qemu:///system version >/dev/null 2>&1; }

if [ "${1:-}" = "--check" ]; then
    command -v virsh >/dev/null && answers
    exit $?
fi

# openssh-client: libvirt runs ssh for qemu+ssh:// URIs (and the loopback test uses ssh-keygen).
packages=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-dev openssh-client)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The user and group libvirt's QEMU driver expects to exist, even when guests run as root.
getent group libvirt-qemu >/dev/null || as_root groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || as_root useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

# qemu.conf: guests as root, no relabelling, no security driver (no AppArmor/SELinux in these containers).
conf=/etc/libvirt/qemu.conf
as_root mkdir -p /etc/libvirt /var/log/libvirt /var/log/libvirt/qemu /var/run/libvirt
[ -f "$conf" ] || as_root touch "$conf"
set_option() {
    local key=$1 value=$2
    if as_root grep -qE "^[[:space:]]*$key[[:space:]]*=" "$conf"; then
        as_root sed -i -E "s|^[[:space:]]*$key[[:space:]]*=.*|$key = $value|" "$conf"
    else
        echo "$key = $value" | as_root tee -a "$conf" >/dev/null
    fi
}
set_option user '"root"'
set_option group '"root"'
set_option dynamic_ownership 0
set_option security_driver '"none"'

if answers; then
    echo "== libvirtd already running"
    exit 0
fi

pgrep -x virtlogd >/dev/null || as_root virtlogd -d
pgrep -x libvirtd >/dev/null || as_root libvirtd -d

# Wait for libvirtd to answer (no fixed sleep: poll until it answers or the deadline passes). A libvirtd that was
# still shutting down when we looked exits meanwhile: start it again, once.
end=$((SECONDS + deadline_seconds))
restarted=false
until answers; do
    if [ $SECONDS -ge $end ]; then
        echo "libvirt-setup: libvirtd did not answer on $socket within ${deadline_seconds}s" >&2
        exit 1
    fi
    if ! pgrep -x libvirtd >/dev/null; then
        if $restarted; then
            echo "libvirt-setup: libvirtd exited; run 'libvirtd' in the foreground to see why" >&2
            exit 1
        fi
        restarted=true
        as_root libvirtd -d
    fi
    read -r -t 0.1 <> <(:) || true
done
echo "== libvirtd running ($socket)"
