#!/usr/bin/env bash
# Initialises a freshly deployed program. Run after `anchor deploy`, signed by
# the program's upgrade authority (the provider wallet), which becomes admin.
#
#   CRANK=<pubkey> ORACLES="<pubkey> [<pubkey> …]" migrations/deploy.sh [--url devnet]
set -euo pipefail
: "${CRANK:?set CRANK to the crank public key}"
: "${ORACLES:?set ORACLES to one or more oracle public keys}"
args=(init --crank "$CRANK")
for o in $ORACLES; do args+=(--oracle "$o"); done
exec cargo run --quiet -p pictor-vip-cli --bin pictor-vip -- "$@" "${args[@]}"
