#!/bin/sh
# Installs, with apt-get, the Debian packages the desktop and its tests need, when they are missing.
set -eu
missing=""
has() { command -v "$1" >/dev/null 2>&1; }
has chromium || missing="$missing chromium"
has Xvfb || missing="$missing xvfb"
has xvfb-run || missing="$missing xvfb"
has xauth || missing="$missing xauth"
has gnome-keyring-daemon || missing="$missing gnome-keyring"
has dbus-run-session || missing="$missing dbus dbus-x11"
dpkg -s libsecret-1-0 >/dev/null 2>&1 || missing="$missing libsecret-1-0"
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="$missing fonts-dejavu-core"
# The Debian package's icons are rendered from SVG at build time (npm run package).
has rsvg-convert || missing="$missing librsvg2-bin"
# Chats carry emoji; without a colour emoji font they show as empty boxes.
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing="$missing fonts-noto-color-emoji"
[ -z "$missing" ] && { echo "all present"; exit 0; }
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
