#!/usr/bin/env bash
# Builds the DocC archives of KtxCore, SyncCore and Store (Sources/*/Documentation.docc and the `///`
# comments); any warning (a broken symbol link, a parameter documented wrongly) fails it.
# Open the result with `xcrun docc preview` on a Mac, or serve the archive's folder.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-documentation --target KtxCore --target SyncCore --target Store --warnings-as-errors
