#!/usr/bin/env bash
# Fetch the plotly.js "basic" bundle (scatter, bar, pie) the charts are drawn with, into
# static/vendor/. Its version must equal the plotly.js that the plotly Python package bundles,
# so figures serialised in Python draw the same in the browser (tests/test_chart_bundle.py).
set -euo pipefail
VERSION="${1:-4.1.1}"
INTEGRITY_4_1_1="sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ=="
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-basic-dist-min@${VERSION}" >/dev/null)
tarball="$work/plotly.js-basic-dist-min-${VERSION}.tgz"
if [ "$VERSION" = "4.1.1" ]; then
  got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [ "$got" = "$INTEGRITY_4_1_1" ] || { echo "integrity mismatch for $tarball" >&2; exit 1; }
fi
tar -xzf "$tarball" -C "$work"
mkdir -p static/vendor
rm -f static/vendor/plotly-basic-*.min.js
cp "$work/package/plotly-basic.min.js" "static/vendor/plotly-basic-${VERSION}.min.js"
cp "$work/package/LICENSE" static/vendor/plotly-LICENSE.txt
echo "static/vendor/plotly-basic-${VERSION}.min.js"
