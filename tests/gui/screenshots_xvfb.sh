#!/bin/bash
# Screenshots of the real app as a clerk meets it: Xvfb at 1366x768 with openbox, driven by the
# keyboard (xdotool), captured with ImageMagick's `import`. Not part of the test run.
#   DISPLAY=:19 tests/gui/screenshots_xvfb.sh OUT_DIR   (Xvfb and openbox already running)
# Writes {main,step,outcome,print,classes,settings}-{theme,hc}-{10,20}.png for text sizes 1.0/2.0.
set -euo pipefail
out=${1:-resources/screenshots/counter}
mkdir -p "$out"
key() { xdotool key --delay 120 "$@"; sleep 0.6; }
shot() { sleep "${2:-1}"; import -window root "$out/$1.png"; }
for scale in 1.0 2.0; do
  for theme in theme hc; do
    hc=false; [ "$theme" = hc ] && hc=true
    tag="$theme-${scale/./}"
    data=$(mktemp -d)
    uv run dxdesk --data-dir "$data" settings set site_id=kita-1 site_name=北区役所 \
      counter_phone=03-0000-0000 "counter_hours=平日 8:45〜17:15" \
      text_scale=$scale high_contrast=$hc >/dev/null
    QT_QPA_PLATFORM=xcb uv run dxdesk --data-dir "$data" >/dev/null 2>&1 &
    app=$!
    sleep 6
    shot "main-$tag"
    key ctrl+n; sleep 1             # focus: 年代
    key Tab Down Down Down Down     # 使う機器: 窓口の共用端末
    key Tab Tab Tab                 # the search box
    xdotool type --delay 80 pin; sleep 0.5
    key Down Return                 # into the results, begin
    key 1                           # answer: the 4-digit PINs
    shot "step-$tag"
    key 1 Return                    # the resident came; the walk ends
    key Right Right Right space     # choose 別の窓口へ案内
    shot "outcome-$tag"
    key Tab space                   # 案内票を印刷 (Tab leaves the outcome group)
    shot "print-$tag" 4
    key Escape
    key ctrl+k
    shot "classes-$tag" 2
    key alt+F4
    key ctrl+comma
    shot "settings-$tag" 2
    key Escape
    kill "$app"; wait "$app" 2>/dev/null || true
    rm -rf "$data"
  done
done
