#!/usr/bin/env bash
# Run a command (the test suite) in a private network namespace that has only loopback,
# so that nothing a test or a library does can leave the machine: the Hugging Face hub,
# Gradio's update checks and Ray's metadata probe all fail at once instead of phoning out.
#
#   bash tests/offline.sh pytest [ARGS...]
#
# As root `unshare -n` makes the namespace; elsewhere `unshare -rn` does, where user
# namespaces are allowed. Where neither works (macOS, locked-down containers) the command
# runs as it is, with a warning.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: bash tests/offline.sh COMMAND [ARGS...]" >&2; exit 2; }
inside='ip link set lo up && TARJAMA_NETWORK_NAMESPACE=private exec "$@"'
if command -v unshare >/dev/null && command -v ip >/dev/null; then
    for flags in -n -rn; do
        if unshare "$flags" true 2>/dev/null; then
            exec unshare "$flags" sh -c "$inside" sh "$@"
        fi
    done
fi
echo "warning: cannot make a private network namespace here (needs unshare and ip); running without one" >&2
exec "$@"
