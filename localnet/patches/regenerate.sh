#!/usr/bin/env bash
# Regenerates the two agave crates vendored here, which the workspace's
# [patch.crates-io] points at. Run from anywhere: `localnet/patches/regenerate.sh`.
#
# Why they are patched: solana-test-validator 3.1.12 (agave) does not resolve
# next to anchor-lang 1.2.2.
#  - every solana-gossip 3.x pins SDK crates exactly (solana-clock = "=3.0.0"
#    and about 18 more), while anchor-lang 1.2.2 needs solana-clock ^3.0.1;
#  - solana-faucet 3.1.12 pins solana-instruction = "=3.0.0" (and more), while
#    anchor-lang reaches, through solana-loader-v3-interface 6.1.1,
#    solana-system-interface ^3.1, which needs solana-instruction ^3.2.
# The patch relaxes each exact pin of a 2.x/3.0/3.1 SDK crate to a caret of the
# same version (agave's own crates stay at =3.1.12, so agave must stay at
# exactly 3.1.12 for these patches to be valid). As path dependencies their
# `[lints.rust] warnings = "deny"` is no longer capped by cargo, and rustc 1.95
# fails gossip on `mismatched_lifetime_syntaxes`, so it is set to "allow".
# Nothing else in the crates changes.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=3.1.12
for name in solana-gossip solana-faucet; do
  crate="$name-$VERSION"
  tmp="$(mktemp)"
  curl -sSfL -o "$tmp" "https://static.crates.io/crates/$name/$crate.crate"
  rm -rf "${HERE:?}/$crate"
  tar xzf "$tmp" -C "$HERE"
  rm -f "$tmp"
  python3 - "$HERE/$crate/Cargo.toml" "$VERSION" <<'PY'
import re, sys
path, agave = sys.argv[1], sys.argv[2]
text = open(path).read()
def relax(m):
    return m.group(0) if m.group(1) == agave else 'version = "%s"' % m.group(1)
text = re.sub(r'version = "=((?:2|3)\.(?:0|1)(?:\.\d+)?)"', relax, text)
text = text.replace('warnings = "deny"', 'warnings = "allow"')
open(path, "w").write(text)
PY
  # Files cargo does not need to build the crate.
  rm -f "$HERE/$crate/Cargo.toml.orig" "$HERE/$crate/.cargo_vcs_info.json" "$HERE/$crate/.cargo-ok"
  echo "patched $crate"
done
