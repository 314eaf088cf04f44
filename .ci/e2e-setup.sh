#!/usr/bin/env bash
# What the browser tests (tests/e2e) need besides Python: Debian's Chromium, Java for the
# Nu Html Checker, and the npm packages axe-core, vnu-jar and lighthouse (package-lock.json).
# Safe to run again: installs only what is missing. Run as root (CI is), or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
    if [ -z "$APT_UPDATED" ]; then
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Chromium from Debian: Playwright's own browser download cannot work here.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    echo "installing chromium (Debian)"
    apt_install chromium
fi
"${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null

# Java 11+ runs vnu.jar.
if ! command -v java >/dev/null 2>&1; then
    echo "installing a Java runtime (Debian)"
    apt_install default-jre-headless
fi
java -version 2>&1 | head -1
java -version 2>&1 | head -1 | grep -Eq '"(1[1-9]|[2-9][0-9])[."]' || { echo "vnu.jar needs Java 11 or newer"; exit 1; }

if ! command -v npm >/dev/null 2>&1; then
    echo "installing Node.js and npm (Debian)"
    apt_install nodejs npm
fi
node --version

# npm ci only when package-lock.json changed since the last install. No install scripts:
# none of the three needs one, and vnu-jar's would try to download a Java runtime.
stamp=node_modules/.package-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
fi
test -f node_modules/axe-core/axe.min.js
test -f node_modules/vnu-jar/build/dist/vnu.jar
echo "axe-core $(node -p 'require("./node_modules/axe-core/package.json").version'), vnu-jar $(node -p 'require("./node_modules/vnu-jar/package.json").version'), lighthouse $(node -p 'require("./node_modules/lighthouse/package.json").version')"
