#!/usr/bin/env bash
# Pantau's two commands on a fresh Debian machine with Python 3.11:
#   ./pantau.sh run    set up and start the dashboard (demo data on first start)
#   ./pantau.sh test   set up everything the tests need and run every test
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV=".venv"

apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

venv_install() {
    local requirements="$1"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local stamp="$VENV/.installed-$(sha1sum "$requirements" requirements.txt | sha1sum | cut -c1-12)"
    if [ ! -f "$stamp" ]; then
        echo "Installing Python packages from $requirements"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
        touch "$stamp"
    fi
}

case "${1:-run}" in
    run)
        venv_install requirements.txt
        shift || true
        exec "$VENV/bin/python" -m streamlit run serve.py --server.headless true \
            --browser.gatherUsageStats false "$@"
        ;;
    test)
        apt_install chromium zbar-tools poppler-utils fonts-dejavu-core
        venv_install requirements-dev.txt
        shift || true
        "$VENV/bin/ruff" check .
        "$VENV/bin/lint-imports" --no-cache   # lib/'s one-way layers (pyproject.toml)
        # Two workers (this machine's two cores), whole files per worker: the browser tests
        # mostly wait for a server and a browser while the other worker runs lib tests.
        exec "$VENV/bin/python" -m pytest -p no:cacheprovider -n 2 --dist loadfile "$@"
        ;;
    *)
        echo "usage: ./pantau.sh [run|test]" >&2
        exit 2
        ;;
esac
