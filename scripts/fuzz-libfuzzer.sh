#!/usr/bin/env bash
# Coverage-guided fuzzing of the JSON and HMP stream framers with libFuzzer (swiftc -sanitize=fuzzer).
#   scripts/fuzz-libfuzzer.sh [SECONDS (default 60)] [extra libFuzzer options...]
# Crashes are saved as crash-* files in .build-fuzz/; rerun one with .build-fuzz/framer-fuzz FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
mkdir -p .build-fuzz/corpus
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FramerFuzz \
    Sources/QMPWire/*.swift Sources/HMP/HMPStreamFramer.swift Fuzz/libfuzzer/FramerHarness.swift \
    -o .build-fuzz/framer-fuzz
# Seeds: a greeting, a reply, pretty output, garbage, an HMP session.
printf '\x07{"QMP": {"version": {}, "capabilities": ["oob"]}}\r\n{"return": {}}\r\n' >.build-fuzz/corpus/seed-qmp
printf '\x01{\n    "return": {\n        "a": [1, "}"]\n    }\n}\n' >.build-fuzz/corpus/seed-pretty
printf '\x03garbage\n[1]\n{"return": "\\\n{"event": "X"}\n' >.build-fuzz/corpus/seed-garbage
printf '\x05QEMU monitor\r\n(qemu) i\x1b[K\x1b[Dinfo\x1b[K\r\nVM status: running\r\n(qemu) ' >.build-fuzz/corpus/seed-hmp
cd .build-fuzz
./framer-fuzz -max_total_time="$seconds" -max_len=4096 "$@" corpus
