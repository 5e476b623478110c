# Sourced by the .ci/ scripts: strict mode, cd to the repo root, ccache
# settings, and the one build helper they share.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# ccache: paths are hashed relative to the repo root, so a fresh clone in
# another directory hits the cache of a previous one.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1

# cmake_build DIR TARGET [CMAKE_ARGS...]: configure DIR with Ninja, build TARGET.
cmake_build() {
  local dir=$1 target=$2
  shift 2
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@"
  cmake --build "$dir" --target "$target"
}
