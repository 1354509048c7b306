#!/usr/bin/env bash
# Runs the tests inside a private D-Bus session with gnome-keyring's Secret Service unlocked,
# so the store tests use a real OS keyring backend and never touch the user's own.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${KEY_RETRIEVER_TEST_BUS:-}" ]]; then
    exec env KEY_RETRIEVER_TEST_BUS=1 dbus-run-session -- "$0" "$@"
fi
export HOME="$(mktemp -d)"  # gnome-keyring keeps its test keyring here, not in the user's home
printf 'test-keyring-pass' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
.venv/bin/ruff check .
# Four workers on two cores: the flows of different tests run side by side (one browser per
# worker), and one works while others wait on a portal (three left a third of the CPU idle).
# worksteal: a long test (the simulated year) started late does not leave one worker alone.
exec .venv/bin/python -m pytest -n "${KEY_RETRIEVER_TEST_WORKERS:-4}" --dist worksteal "$@"
