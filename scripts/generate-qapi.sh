#!/usr/bin/env bash
# Regenerates the typed QMP surface (Sources/QMPGenerated/Generated, and the test registry
# Tests/QMPGeneratedTests/Generated) from QEMU source trees: their qapi/*.json and qga/qapi-schema.json.
#
#   scripts/generate-qapi.sh QEMU-SOURCE-DIR [OLDER-QEMU-SOURCE-DIR...]
#
# The first tree is the newest: its schema is the typed surface. Older trees add the commands, events and types the
# newest dropped, so that replies of older QEMUs of the supported range decode too.
# QEMU's sources come from any QEMU tree, or from Debian: with a deb-src line for the suite (trixie: 10.0,
# bookworm: 7.2, bullseye: 5.2),
#   apt-get source --download-only qemu/trixie && tar -xJf qemu_*.orig.tar.xz --wildcards '*/qapi/*.json' \
#       '*/qga/qapi-schema.json' '*/VERSION'
# Never commit QEMU's sources; the generated Swift is committed, so users and CI need none.
set -euo pipefail
[ $# -ge 1 ] && [ -f "$1/qapi/qapi-schema.json" ] || { echo "usage: $0 QEMU-SOURCE-DIR [OLDER-QEMU-SOURCE-DIR...]" >&2; exit 2; }
trees=$(IFS=:; echo "$*")
cd "$(dirname "$0")/.."
python3 scripts/qapi/generate.py "$trees" Sources/QMPGenerated/Generated Tests/QMPGeneratedTests/Generated
