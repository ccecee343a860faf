#!/usr/bin/env bash
# Starts a private sshd on 127.0.0.1 so `qemu+ssh://` libvirt URIs can be tried on one machine: the remote path
# of `libvirt+qemu+ssh://HOST/system#DOMAIN` (ssh, then virt-ssh-helper on the "remote" side) without a second host.
#
#   scripts/libvirt-ssh-loopback.sh DIR     keys, config, log and pid file go in DIR; prints URI=... and PID=...
#
# Needs root (the sshd privilege-separation user, and a root login over the loopback with a key made here).
# Nothing system-wide is started or changed beyond that user and /run/sshd: the sshd binary comes from an installed
# openssh-server, or else from its Debian package unpacked into ~/.cache/qmpkit/openssh-server (not installed).
# Stop it with `kill $PID`.
set -euo pipefail
dir=${1:?usage: libvirt-ssh-loopback.sh DIR}
mkdir -p "$dir"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/qmpkit
mkdir -p "$cache"
sshd=/usr/sbin/sshd
if [ ! -x "$sshd" ]; then
    sshd=$cache/openssh-server/usr/sbin/sshd
    if [ ! -x "$sshd" ]; then
        scratch=$(mktemp -d)
        chmod 755 "$scratch"  # apt's download user must be able to write there
        (cd "$scratch" && apt-get download openssh-server >/dev/null 2>"$scratch/apt.log") \
            || { cat "$scratch/apt.log" >&2; exit 1; }
        mkdir -p "$cache/openssh-server"
        dpkg -x "$scratch"/openssh-server_*.deb "$cache/openssh-server"
        rm -rf "$scratch"
    fi
fi

getent passwd sshd >/dev/null || useradd -r -d /run/sshd -s /usr/sbin/nologin sshd
mkdir -p /run/sshd
chmod 755 /run/sshd

# One host key kept across runs, so the client's known_hosts entry for the loopback stays valid.
[ -f "$cache/ssh-loopback-hostkey" ] || ssh-keygen -q -t ed25519 -N '' -f "$cache/ssh-loopback-hostkey"
[ -f "$dir/id" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
cp "$dir/id.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"

# The first free port of a small range (sshd exits at once when it cannot bind).
for port in $(seq 22220 22259); do
    cat > "$dir/sshd_config" <<CONFIG
ListenAddress 127.0.0.1:$port
HostKey $cache/ssh-loopback-hostkey
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $dir/sshd.pid
CONFIG
    rm -f "$dir/sshd.pid"
    if "$sshd" -f "$dir/sshd_config" -E "$dir/sshd.log" 2>/dev/null; then
        # sshd -D is not used: it daemonises after binding, and writes its pid file right after.
        end=$((SECONDS + 10))
        until [ -s "$dir/sshd.pid" ]; do
            [ $SECONDS -lt $end ] || { echo "libvirt-ssh-loopback: sshd wrote no pid file" >&2; exit 1; }
            read -r -t 0.05 <> <(:) || true
        done
        echo "URI=qemu+ssh://root@127.0.0.1:$port/system?keyfile=$dir/id&no_verify=1"
        echo "PID=$(cat "$dir/sshd.pid")"
        exit 0
    fi
done
echo "libvirt-ssh-loopback: no free port in 22220-22259 (see $dir/sshd.log)" >&2
exit 1
