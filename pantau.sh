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
        # The first start installs about 60 packages into .venv (2 minutes on a fresh machine,
        # more on a slow line); later starts skip this. Each package is named as it comes.
        echo "Pantau: installing Python packages from $requirements into $VENV (first start only, about 2 minutes)..."
        local started=$SECONDS
        local errors; errors="$(mktemp)"
        if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r "$requirements" \
                2>"$errors" | { grep --line-buffered -e '^Collecting ' -e '^Installing collected packages' \
                | sed -u -e 's/^Collecting /  - /' -e 's/ (from .*)$//' \
                    -e 's/^Installing collected packages: .*/  installing them now (the longest step, no output)…/' || true; }; then
            cat "$errors" >&2
            echo "Pantau: installing the Python packages failed (above); nothing was started." >&2
            exit 1
        fi
        rm -f "$errors"
        echo "Pantau: packages ready in $((SECONDS - started)) s."
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
        # nginx and openssl: tests/e2e/test_going_live.py runs deploy/nginx/pantau.conf in a temporary
        # folder as this user (never as Debian's nginx service; README "Going live").
        # default-jre-headless: Java for pyspark in tests/test_spark_rollup.py (README "Province").
        apt_install chromium zbar-tools poppler-utils fonts-dejavu-core nginx openssl default-jre-headless
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
