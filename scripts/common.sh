# scripts/common.sh — shared by scripts/run and scripts/test (sourced, not run).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The build directory (relative to the source root); the sanitizer build
# adds "-asan". Override for a second checkout of the build: IMU_BUILDDIR=b2.
BUILDDIR=${IMU_BUILDDIR:-build}

# imu_build BUILDDIR [meson setup options…]: configures once, then compiles.
# Ninja re-runs meson by itself when a meson.build changed.
imu_build () {
  local dir=$1
  shift
  if [ ! -f "$ROOT/$dir/build.ninja" ]; then
    meson setup "$ROOT/$dir" "$ROOT" "$@" || return 1
  fi
  meson compile -C "$ROOT/$dir"
}

# TRUE when a display server is reachable by name (the GUI can start).
imu_have_display () {
  [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${DISPLAY:-}" ]
}
