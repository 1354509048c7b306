#!/usr/bin/env bash
# Sets up key-retriever on a Debian/Ubuntu machine: system packages (Chromium, Dovecot's IMAP
# server, and for the tests gnome-keyring + D-Bus), then a virtualenv in .venv with the project
# installed.
#   scripts/setup.sh          the tool
#   scripts/setup.sh --test   the tool and what its tests need
set -euo pipefail
cd "$(dirname "$0")/.."

# dovecot-imapd: the sandbox's private IMAP server (sandbox/mailserver.py), for the demo and the
# tests. Its postinst may start a system-wide Dovecot on 143/993 where an init system lets it;
# the private one needs nothing of it (own config, run dir and free port).
# chromium-headless-shell: what headless runs use (about half the CPU of the full browser, which
# `--headed` and `login` need).
packages=(chromium chromium-headless-shell dovecot-imapd)
extras=""
if [[ "${1:-}" == "--test" ]]; then
    packages+=(gnome-keyring dbus xvfb xauth)  # xvfb: the headed-mode test
    extras="[test]"
fi

# Debian's own python3 needs python3-venv for `python3 -m venv`.
python3 -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".${extras}"
echo "ready: .venv/bin/key-retriever"
