#!/usr/bin/env bash
# Builds ktx-core.wasm, the shared core for the offline web app: the same Swift files as the
# KtxCore and CoreCalls targets, compiled by Embedded Swift for wasm32, linked by the
# toolchain's wasm-ld with its Unicode tables and wasm/runtime.c (memory, nothing else).
# Usage: scripts/build-wasm.sh [OUTPUT]   (default .build/wasm/ktx-core.wasm)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build/wasm/ktx-core.wasm}"
swiftc="$(command -v swiftc)"
bin="$(dirname "$(readlink -f "$swiftc")")"
tables="$bin/../lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a"
[ -f "$tables" ] || { echo "build-wasm: this Swift toolchain has no Embedded Swift for wasm32 ($tables)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(-target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -Osize
       -Xfrontend -disable-stack-protector -parse-as-library)
"$swiftc" "${flags[@]}" -module-name KtxCore -emit-module -emit-module-path "$work/KtxCore.swiftmodule" \
    -emit-object -o "$work/KtxCore.o" $(find Sources/KtxCore -name '*.swift' | sort)
"$swiftc" "${flags[@]}" -I "$work" -module-name CoreCalls -emit-module -emit-module-path "$work/CoreCalls.swiftmodule" \
    -emit-object -o "$work/CoreCalls.o" $(find Sources/CoreCalls -name '*.swift' | sort)
"$swiftc" "${flags[@]}" -I "$work" -module-name KtxCoreWasm -emit-object -o "$work/Exports.o" wasm/Exports.swift
"$bin/clang" --target=wasm32-unknown-unknown -Os -nostdlib -ffreestanding -c wasm/runtime.c -o "$work/runtime.o"
mkdir -p "$(dirname "$out")"
"$bin/wasm-ld" --no-entry --gc-sections --strip-all --export=malloc --export=free \
    -o "$out" "$work/KtxCore.o" "$work/CoreCalls.o" "$work/Exports.o" "$work/runtime.o" "$tables"
echo "build-wasm: $out ($(wc -c < "$out") bytes)"
