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
# PyPI for this torch, so it is built from its sdist once (about 10 minutes on
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
    log "building mmcv 2.1.0 from source against $torch_tag (about 10 minutes)"
    build=$(mktemp -d)
    # --no-build-isolation also here: preparing the sdist's metadata imports torch.
    pip download -q --no-deps --no-binary :all: --no-build-isolation \
      -d "$build" mmcv==2.1.0
    tar -xzf "$build"/mmcv-2.1.0.tar.gz -C "$build"
    # torch 2.14's headers need C++20; mmcv 2.1.0 hard-codes -std=c++17.
    sed -i "s/'-std=c++17'/'-std=c++20'/g" "$build/mmcv-2.1.0/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      pip wheel -q --no-deps --no-build-isolation -w "$build/dist" "$build/mmcv-2.1.0"
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
