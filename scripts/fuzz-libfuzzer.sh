#!/usr/bin/env bash
# Coverage-guided fuzzing of the JSON and HMP stream framers with libFuzzer (swiftc -sanitize=fuzzer).
#   scripts/fuzz-libfuzzer.sh [SECONDS (default 60)] [extra libFuzzer options...]
# Crashes are saved as crash-* files in .build-fuzz/; rerun one with .build-fuzz/framer-fuzz FILE.
#   scripts/fuzz-libfuzzer.sh hostile [SECONDS] [options...]   fuzzes issue 20's checks instead (Seconds, LinearRegex,
#   Redaction, TerminalText: Fuzz/libfuzzer/HostileInputHarness.swift), corpus in .build-fuzz/hostile-corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
# The package's own upcoming features (Package.swift): QMPWire relies on internal imports by default.
features="-enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature ExistentialAny"
if [ "${1:-}" = hostile ]; then
    shift
    seconds="${1:-60}"
    shift || true
    mkdir -p .build-fuzz/hostile-corpus
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name HostileFuzz -package-name qmpkit $features \
        Sources/QMPWire/*.swift Fuzz/libfuzzer/HostileInputHarness.swift -o .build-fuzz/hostile-fuzz
    printf '\x001e16' >.build-fuzz/hostile-corpus/seed-seconds
    printf '\x01^(\\w|\\W|.)*(\\w|\\W|.)*Z$\x00ab ab ab Z' >.build-fuzz/hostile-corpus/seed-regex
    printf '\x02object-add qom-type=secret id=s0 data="pw" props={"data": "x"}' >.build-fuzz/hostile-corpus/seed-line
    printf '\x02set_password\tvnc\tpw' >.build-fuzz/hostile-corpus/seed-hmp
    printf '\x03Device \x1b]0;PWNED\x07 \xc2\x9b' >.build-fuzz/hostile-corpus/seed-terminal
    cd .build-fuzz
    exec ./hostile-fuzz -max_total_time="$seconds" -max_len=1024 "$@" hostile-corpus
fi
seconds="${1:-60}"
shift || true
mkdir -p .build-fuzz/corpus
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FramerFuzz -package-name qmpkit $features \
    Sources/QMPWire/*.swift Sources/HMP/HMPStreamFramer.swift Fuzz/libfuzzer/FramerHarness.swift \
    -o .build-fuzz/framer-fuzz
# Seeds: a greeting, a reply, pretty output, garbage, an HMP session.
printf '\x07{"QMP": {"version": {}, "capabilities": ["oob"]}}\r\n{"return": {}}\r\n' >.build-fuzz/corpus/seed-qmp
printf '\x01{\n    "return": {\n        "a": [1, "}"]\n    }\n}\n' >.build-fuzz/corpus/seed-pretty
printf '\x03garbage\n[1]\n{"return": "\\\n{"event": "X"}\n' >.build-fuzz/corpus/seed-garbage
printf '\x05QEMU monitor\r\n(qemu) i\x1b[K\x1b[Dinfo\x1b[K\r\nVM status: running\r\n(qemu) ' >.build-fuzz/corpus/seed-hmp
cd .build-fuzz
./framer-fuzz -max_total_time="$seconds" -max_len=4096 "$@" corpus
