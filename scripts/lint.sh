#!/usr/bin/env bash
# The house rules (.swift-format): no force unwrap or force try (an invariant that holds is
# marked `// swift-format-ignore: RULE` with the reason), ordered imports, `///` doc comments.
# Only the rules are checked, not the layout of lines (the code aligns continuation lines as
# swift-format's printer would not): hence --debug-disable-pretty-print.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --debug-disable-pretty-print --recursive --parallel Sources Package.swift
# `///` on every public declaration (the DocC catalogs of SyncCore and Store build on them).
swift format lint --strict --debug-disable-pretty-print --recursive --parallel \
    --configuration '{"version": 1, "rules": {"AllPublicDeclarationsHaveDocumentation": true}}' Sources
echo "lint: the house rules hold in Sources/, and every public declaration is documented"
