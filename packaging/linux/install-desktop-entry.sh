#!/usr/bin/env bash
# Put the built app in the desktop menu: a .desktop entry (files dropped on it open in
# Folioscope), the handler of folioscope:// links (notes exported from Folioscope open the
# window at the quoted sentence) and the icon, for the current user. Run after `make app`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
app="$root/dist/Folioscope/Folioscope"
[ -x "$app" ] || { echo "Build the app first: make app" >&2; exit 1; }
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$icons" "$apps"
cp "$root/resources/icons/folioscope.png" "$icons/folioscope.png"
sed -e "s#@APP@#$app#" -e "s#@ICON@#folioscope#" "$here/folioscope.desktop" > "$apps/folioscope.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
command -v xdg-mime >/dev/null && xdg-mime default folioscope.desktop x-scheme-handler/folioscope || true
echo "Folioscope is in the applications menu ($apps/folioscope.desktop)."
