#!/usr/bin/env bash
# Test-only: headless Chromium's WebGPU on Mesa lavapipe instead of its own SwiftShader (f16, 1024 invocations per
# workgroup, 128 MiB bindings, several times faster), for `kiln bench --runtime browser` with
# KILN_BROWSER_ADAPTER=lavapipe. Chromium's WebGPU takes only SwiftShader on a machine without a GPU, and Dawn opens
# Chromium's own libvk_swiftshader.so by path, so this builds a directory that mirrors /usr/lib/chromium (links, and a
# hard link or copy of the binary, which finds its files beside /proc/self/exe) whose libvk_swiftshader.so is shim.c:
# a Vulkan driver that forwards everything to lavapipe and reports SwiftShader's vendor and device ids.
# Fragile across Chromium updates; never for users.
#
#   e2e-tests/chromium-lavapipe/setup.sh [DIR]   (default: $KILN_CHROMIUM_LAVAPIPE, else ~/.cache/kiln/chromium-lavapipe)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${1:-${KILN_CHROMIUM_LAVAPIPE:-$HOME/.cache/kiln/chromium-lavapipe}}"
SRC=/usr/lib/chromium
[ -x "$SRC/chromium" ] || { echo "setup.sh: $SRC/chromium is missing (install Debian's chromium)" >&2; exit 1; }
[ -f /usr/share/vulkan/icd.d/lvp_icd.json ] || { echo "setup.sh: Mesa lavapipe is missing (./kiln setup)" >&2; exit 1; }
mkdir -p "$DIR"
gcc -shared -fPIC -O2 -fvisibility=hidden -o "$DIR/libkiln_lvp_shim.so" "$HERE/shim.c" -ldl
for f in "$SRC"/*; do
  case "$(basename "$f")" in chromium|libvk_swiftshader.so|vk_swiftshader_icd.json) ;; *) ln -sfn "$f" "$DIR/$(basename "$f")" ;; esac
done
if ! cmp -s "$SRC/chromium" "$DIR/chromium"; then
  rm -f "$DIR/chromium"
  ln "$SRC/chromium" "$DIR/chromium" 2>/dev/null || cp "$SRC/chromium" "$DIR/chromium"
fi
ln -sfn "$DIR/libkiln_lvp_shim.so" "$DIR/libvk_swiftshader.so"
icd='{"file_format_version": "1.0.0", "ICD": {"library_path": "'"$DIR"'/libkiln_lvp_shim.so", "api_version": "1.3.0"}}'
echo "$icd" > "$DIR/vk_swiftshader_icd.json"
echo "$icd" > "$DIR/lavapipe_icd.json"
echo "$DIR"
