#!/usr/bin/env bash
# Runs the integration suites (real-QEMU, schema, QEMU-matrix tests: QMPIntegrationTests) and the guest suites
# (hot-plug, media swap, lifecycle: GuestTests' HotplugTests and GuestLifecycleTests) against each QEMU of the matrix, then the integration suites again
# under `-compat deprecated-input=reject,deprecated-output=hide` (QEMU 6.0 and later) to show that qmpkit sends
# nothing deprecated and needs nothing deprecated in replies.
#
#   scripts/test-qemu-matrix.sh [--qemu VERSION|PATH]... [--no-compat] [--no-build]
#
# VERSION is one of 5.2 10.0 11.1 (installed into the cache by scripts/install-qemu-matrix.sh, which is run first;
# a cached version is not downloaded again) or 7.2 (the system's qemu-system-x86_64); PATH is any QEMU binary or
# wrapper. Without --qemu: $QMPKIT_QEMU_MATRIX (space-separated), else "5.2 10.0 11.1" (the ordinary `swift test`
# already covers the system 7.2). The compat pass runs on 7.2 and every listed version from 6.0.
# Each run sets QMPKIT_QEMU (the binary) and QMPKIT_QEMU_EXPECT (the version it must report): a version that
# cannot be found or runs as another version fails; nothing is skipped. Exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

cache="${QMPKIT_QEMU_CACHE:-$HOME/.cache/qmpkit/qemu}"
entries=()
compat=true
build=true
while [ $# -gt 0 ]; do
    case "$1" in
    --qemu) entries+=("$2"); shift 2 ;;
    --no-compat) compat=false; shift ;;
    --no-build) build=false; shift ;;
    *) echo "usage: $0 [--qemu VERSION|PATH]... [--no-compat] [--no-build]" >&2; exit 2 ;;
    esac
done
if [ ${#entries[@]} -eq 0 ]; then
    # shellcheck disable=SC2206
    entries=(${QMPKIT_QEMU_MATRIX:-5.2 10.0 11.1})
fi

binary_for() { # VERSION|PATH -> binary
    case "$1" in
    7.2) command -v qemu-system-x86_64 ;;
    5.2 | 10.0 | 11.1) echo "$cache/$1/qemu-system-x86_64" ;;
    *) echo "$1" ;;
    esac
}

version_of() { # binary -> MAJOR.MINOR (empty when it does not run)
    "$1" --version 2>/dev/null | sed -n 's/.*version \([0-9]*\.[0-9]*\).*/\1/p' | head -1
}

to_install=()
for entry in "${entries[@]}"; do
    case "$entry" in 5.2 | 10.0 | 11.1) to_install+=("$entry") ;; esac
done
if [ ${#to_install[@]} -gt 0 ]; then
    echo "== installing (cached): ${to_install[*]}"
    scripts/install-qemu-matrix.sh "${to_install[@]}" || exit 1
fi
if $build; then swift build --build-tests || exit 1; fi

failed=()
run() { # LABEL BINARY EXPECTED FILTER
    local label=$1 binary=$2 expected=$3 filter=$4 start=$SECONDS
    echo "== $label: $filter on $binary"
    if QMPKIT_QEMU="$binary" QMPKIT_QEMU_EXPECT="$expected" swift test --skip-build --no-parallel --filter "$filter"; then
        echo "== $label: passed in $((SECONDS - start)) s"
    else
        echo "== $label: FAILED"
        failed+=("$label")
    fi
}

compat_binaries=()
for entry in "${entries[@]}"; do
    binary=$(binary_for "$entry")
    version=$(version_of "$binary")
    if [ -z "$version" ]; then
        # Told to use it, cannot find it: a failure, never a skip. The suites fail the same way.
        echo "== QEMU '$entry' ($binary) not found or does not run"
        failed+=("$entry (not found)")
        run "QEMU $entry" "$binary" "$entry" 'QEMUMatrixTests'
        continue
    fi
    # The guest suites of the issue: hot-plug, media swap, lifecycle (the jobs and migration guest suites use
    # features of 6.0 and later, such as the snapshot-save job; they run on the system QEMU in the main suite).
    run "QEMU $version" "$binary" "$version" 'QMPIntegrationTests|GuestTests\.(HotplugTests|GuestLifecycleTests)|GeneratedOnQEMUTests'
    [ "${version%%.*}" -ge 6 ] && compat_binaries+=("$version=$binary")
done

if $compat; then
    system=$(binary_for 7.2)
    case " ${compat_binaries[*]} " in
    *" 7.2="*) ;;
    *) [ -n "$system" ] && [ "$(version_of "$system")" = 7.2 ] && compat_binaries=("7.2=$system" "${compat_binaries[@]}") ;;
    esac
    # Tests that use a deprecated command on purpose expect QEMU's refusal in this pass.
    export QMPKIT_QEMU_COMPAT=deprecated-input=reject,deprecated-output=hide
    for item in "${compat_binaries[@]}"; do
        version=${item%%=*} binary=${item#*=}
        wrapper="$cache/compat/$version/qemu-system-x86_64"
        mkdir -p "$(dirname "$wrapper")"
        printf '#!/bin/sh\n# QEMU %s with -compat: deprecated input is refused, deprecated output left out.\nexec %q "$@" -compat deprecated-input=reject,deprecated-output=hide\n' \
            "$version" "$binary" >"$wrapper"
        chmod 755 "$wrapper"
        run "QEMU $version -compat" "$wrapper" "$version" 'QMPIntegrationTests|GeneratedOnQEMUTests'
    done
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "== matrix FAILED: ${failed[*]}"
    exit 1
fi
echo "== matrix passed"
