#!/usr/bin/env bash
# Initialises a freshly deployed program. Run after `anchor deploy`, signed by
# the program's upgrade authority (the provider wallet), which becomes admin.
# The deployment file holds the crank and oracle keys, the rules and the pass
# metadata: copy deploy/pictor-vip.example.toml and edit it.
#
#   migrations/deploy.sh deploy/my-deployment.toml [--url devnet] [--dry-run]
set -euo pipefail
config="${1:?usage: migrations/deploy.sh DEPLOYMENT_FILE [pictor-vip flags]}"
shift
exec cargo run --quiet -p pictor-vip-cli --bin pictor-vip -- init --config "$config" "$@"
