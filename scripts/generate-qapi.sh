#!/usr/bin/env bash
# Regenerates the typed QMP surface (Sources/QMPGenerated/Generated, and the test registry
# Tests/QMPGeneratedTests/Generated) from QEMU source trees: their qapi/*.json and qga/qapi-schema.json.
#
#   scripts/generate-qapi.sh [--live VERSION=SCHEMA.json ...] QEMU-SOURCE-DIR [OLDER-QEMU-SOURCE-DIR...]
#
# The first tree is the newest: its schema is the typed surface. Older trees add the commands, events and types the
# newest dropped, so that replies of older QEMUs of the supported range decode too. scripts/qapi/newer adds what
# QEMUs newer than the tree added (see its README.md).
# `--live VERSION=FILE` checks the result against a QEMU's introspected schema: every command and event of it must be
# typed, and arguments a QEMU newer than the tree added are typed from it. Make the files with
#   scripts/qapi/live-schema.py ~/.cache/qmpkit/qemu/11.1/qemu-system-x86_64 > /tmp/live-11.1.json
# (and the same for 5.2, 10.0 and the system's 7.2). The committed code was generated with all four:
#   scripts/generate-qapi.sh --live 5.2=/tmp/live-5.2.json --live 7.2=/tmp/live-7.2.json \
#       --live 10.0=/tmp/live-10.0.json --live 11.1=/tmp/live-11.1.json qemu-10.0.13 qemu-7.2.0 qemu-5.2.0
# QEMU's sources come from any QEMU tree, or from Debian: with a deb-src line for the suite (trixie: 10.0,
# bookworm: 7.2, bullseye: 5.2),
#   apt-get source --download-only qemu/trixie && tar -xJf qemu_*.orig.tar.xz --wildcards '*/qapi/*.json' \
#       '*/qga/qapi-schema.json' '*/VERSION'
# (Debian sid's 11.1 source package was not downloadable here: its pool files answer 404.)
# Never commit QEMU's sources; the generated Swift is committed, so users and CI need none.
set -euo pipefail
live=()
while [ $# -ge 2 ] && [ "$1" = --live ]; do live+=(--live "${2%%=*}=$(realpath "${2#*=}")"); shift 2; done
[ $# -ge 1 ] && [ -f "$1/qapi/qapi-schema.json" ] || { echo "usage: $0 [--live VERSION=SCHEMA.json ...] QEMU-SOURCE-DIR [OLDER-QEMU-SOURCE-DIR...]" >&2; exit 2; }
trees=""
for tree in "$@"; do trees="${trees:+$trees:}$(realpath "$tree")"; done
cd "$(dirname "$0")/.."
python3 scripts/qapi/generate.py --newer scripts/qapi/newer "${live[@]}" "$trees" Sources/QMPGenerated/Generated Tests/QMPGeneratedTests/Generated
