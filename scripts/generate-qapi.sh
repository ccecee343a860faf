#!/usr/bin/env bash
# Regenerates the typed QMP surface (Sources/QMPGenerated/Generated, and the test registry
# Tests/QMPGeneratedTests/Generated) from a QEMU source tree: its qapi/*.json and qga/qapi-schema.json.
#
#   scripts/generate-qapi.sh QEMU-SOURCE-DIR
#
# QEMU's sources come from any QEMU tree, or from Debian: with a deb-src line for the suite (trixie has 10.0),
#   apt-get source --download-only qemu/trixie && tar -xJf qemu_*.orig.tar.xz --wildcards '*/qapi/*.json' \
#       '*/qga/qapi-schema.json' '*/VERSION'
# Never commit QEMU's sources; the generated Swift is committed, so users and CI need none.
set -euo pipefail
[ $# -eq 1 ] && [ -f "$1/qapi/qapi-schema.json" ] || { echo "usage: $0 QEMU-SOURCE-DIR (with qapi/qapi-schema.json)" >&2; exit 2; }
cd "$(dirname "$0")/.."
python3 scripts/qapi/generate.py "$1" Sources/QMPGenerated/Generated Tests/QMPGeneratedTests/Generated
