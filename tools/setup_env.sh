#!/usr/bin/env bash
# Install everything mmkp_unsup needs into a project-local virtual
# environment (default: .venv in the repository root).
#
#   bash tools/setup_env.sh            # install, or check in seconds
#   VENV=/path/to/venv bash tools/setup_env.sh
#
# Idempotent: a stamp in the environment records a hash of this script, the
# requirement files and setup.py; when they have not changed the script only
# checks the imports. Full mmcv (with compiled ops) has no binary wheel on
# PyPI for this torch, so it is built from its sdist once (10-20 minutes on
# 2 cores) and the wheel is cached under
# ${MMKP_WHEEL_CACHE:-~/.cache/mmkp_unsup/wheels}/<torch>-<python>-<arch>/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
REQ=$ROOT/requirements
CONSTRAINTS=$REQ/constraints.txt
STAMP=$VENV/.mmkp_unsup_installed

log() { printf '[setup_env] %s\n' "$*"; }

# What a build log says about its progress: "step n of N, compiling X.cpp"
# from ninja's "[n/N] c++ ... -c path/X.cpp" lines, else the last source.
ninja_progress() {
  local line step src
  line=$(grep -aE '^\[[0-9]+/[0-9]+\]' "$1" 2>/dev/null | tail -n 1 || true)
  if [ -n "$line" ]; then
    step=$(printf '%s' "$line" | sed -E 's#^\[([0-9]+)/([0-9]+)\].*#step \1 of \2#')
    src=$(printf '%s' "$line" | grep -oE '[^ /]+\.(cpp|cu|c)( |$)' | tail -n 1 || true)
    printf '%s%s' "$step" "${src:+, compiling ${src% }}"
    return 0
  fi
  src=$(grep -aoE '[^ /]+\.(cpp|cu|c) ' "$1" 2>/dev/null | tail -n 1 || true)
  printf '%s' "${src:+compiling ${src% }}"
}

# run_with_progress LOG LABEL CMD...: run CMD with its output in LOG and a
# line every ${MMKP_PROGRESS_INTERVAL:-60} s (elapsed time, what it compiles);
# on failure the end of LOG is printed.
run_with_progress() {
  local log_file=$1 label=$2 pid start now status=0
  shift 2
  start=$(date +%s)
  "$@" >"$log_file" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep "${MMKP_PROGRESS_INTERVAL:-60}" &
    wait $! 2>/dev/null || true
    kill -0 "$pid" 2>/dev/null || break
    now=$(( $(date +%s) - start ))
    log "$label: $((now / 60)) min $((now % 60)) s$(p=$(ninja_progress "$log_file"); [ -n "$p" ] && printf ', %s' "$p")"
  done
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    log "$label failed (exit $status); the end of $log_file:"
    tail -n 40 "$log_file" >&2
  fi
  return "$status"
}

# sourced (by the tests): the functions only
if [ "${BASH_SOURCE[0]}" != "$0" ]; then return 0; fi

key=$(cat "$ROOT/tools/setup_env.sh" "$REQ"/*.txt "$ROOT/setup.py" \
      | sha256sum | cut -c1-16)

smoke_test() {
  "$VENV/bin/python" - <<'PY'
import mmcv, mmcv.ops, mmdet, mmengine, mmpose, mmpose.models, torch  # noqa
import mmkp_unsup  # noqa
assert mmcv.__version__ == '2.1.0', mmcv.__version__
print(f'torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmdet {mmdet.__version__}, '
      f'mmpose {mmpose.__version__}, mmkp_unsup {mmkp_unsup.__version__}')
PY
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ] && smoke_test; then
  log "environment in $VENV is up to date"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY=$VENV/bin/python
pip() { "$PY" -m pip --disable-pip-version-check "$@"; }
pip install -q "pip==25.3"

log "installing torch and build requirements"
pip install -q -c "$CONSTRAINTS" -r "$REQ/torch.txt" -r "$REQ/build.txt" 'numpy<2'

if "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" 2>/dev/null; then
  log "mmcv 2.1.0 with compiled ops is already installed"
else
  torch_tag=$("$PY" -c "import sys, platform, torch; print(f'torch{torch.__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{platform.machine()}')")
  cache=${MMKP_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmkp_unsup/wheels}/$torch_tag
  mkdir -p "$cache"
  wheel=$(ls "$cache"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$wheel" ]; then
    log "building mmcv 2.1.0 from source against $torch_tag (10-20 minutes on 2 cores)"
    build=$(mktemp -d)
    # --no-build-isolation also here: preparing the sdist's metadata imports torch.
    pip download -q --no-deps --no-binary :all: --no-build-isolation \
      -d "$build" mmcv==2.1.0
    tar -xzf "$build"/mmcv-2.1.0.tar.gz -C "$build"
    # torch 2.14's headers need C++20; mmcv 2.1.0 hard-codes -std=c++17.
    sed -i "s/'-std=c++17'/'-std=c++20'/g" "$build/mmcv-2.1.0/setup.py"
    log "compiling; a line every minute (the full log: $build/build.log)"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      run_with_progress "$build/build.log" "building mmcv" \
      "$PY" -m pip --disable-pip-version-check wheel -v --no-deps \
      --no-build-isolation -w "$build/dist" "$build/mmcv-2.1.0"
    cp "$build"/dist/mmcv-2.1.0-*.whl "$cache"/
    rm -rf "$build"
    wheel=$(ls "$cache"/mmcv-2.1.0-*.whl | head -n 1)
  else
    log "using cached mmcv wheel $wheel"
  fi
  pip install -q --no-deps --force-reinstall "$wheel"
fi

log "installing mmengine, mmdet, runtime and test requirements"
pip install -q -c "$CONSTRAINTS" mmengine==0.10.7 mmcv==2.1.0 mmdet==3.3.0 \
  -r "$REQ/runtime.txt" -r "$REQ/tests.txt"
log "installing mmpose (without its chumpy requirement) and mmkp_unsup"
pip install -q -c "$CONSTRAINTS" --no-deps mmpose==1.3.2
pip install -q -c "$CONSTRAINTS" --no-deps --no-build-isolation -e "$ROOT"

smoke_test
echo "$key" > "$STAMP"
log "done: $VENV"
