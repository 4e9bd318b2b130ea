#!/usr/bin/env bash
# Refreshes the vendored front-end assets from the npm registry.
# The versions here are the single source of truth; commit the result.
set -euo pipefail
BOOTSTRAP=5.3.9
HTMX=2.0.11
AXE=4.14.1

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "bootstrap@$BOOTSTRAP" "htmx.org@$HTMX" "axe-core@$AXE" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done

b="bootstrap-$BOOTSTRAP/package"
dest="$top/static/vendor/bootstrap"
mkdir -p "$dest"
cp "$b/LICENSE" "$dest/"
cp "$b"/dist/css/bootstrap.min.css{,.map} "$b"/dist/css/bootstrap.rtl.min.css{,.map} "$dest/"
cp "$b"/dist/js/bootstrap.bundle.min.js{,.map} "$dest/"

h="htmx.org-$HTMX/package"
dest="$top/static/vendor/htmx"
mkdir -p "$dest"
cp "$h/LICENSE" "$h/dist/htmx.min.js" "$dest/"

# axe-core is only used by the browser tests, so it lives beside them.
a="axe-core-$AXE/package"
dest="$top/tests/browser/vendor"
mkdir -p "$dest"
cp "$a/LICENSE" "$a/axe.min.js" "$dest/"
echo "vendored bootstrap $BOOTSTRAP, htmx $HTMX, axe-core $AXE"
