#!/usr/bin/env bash
# GPU check (≤ 8 minutes on a CUDA host): `tensorduel doctor`, then the PyTorch runner on CUDA against direct
# PyTorch (matmul fp32/tf32/bf16 at N = 8192) plus mlp and cnn training, printed as one table.
#   bash scripts/gpu-check.sh            # CUDA when torch sees it, else the CPU fallback
#   bash scripts/gpu-check.sh --cpu      # the CPU fallback with tiny sizes (CI runs this so the script never rots)
#   options: --no-doctor (skip doctor), --json FILE (rows as JSON)
# Python: TENSORDUEL_PYTHON, else the project's .venv, else python3. Node is optional (doctor needs it).
set -euo pipefail
cd "$(dirname "$0")/.."
doctor=1
args=()
for a in "$@"; do
  case "$a" in
  --no-doctor) doctor=0 ;;
  *) args+=("$a") ;;
  esac
done
py="${TENSORDUEL_PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi
fi
if [ "$doctor" = 1 ]; then
  if command -v node >/dev/null 2>&1 && [ -d node_modules ]; then
    echo "gpu-check: doctor"
    timeout 240 node bin/tensorduel.js doctor || echo "gpu-check: doctor failed (exit $?)"
  else
    echo "gpu-check: doctor skipped (no Node or node_modules on this host)"
  fi
fi
echo "gpu-check: PyTorch runner vs direct PyTorch ($py)"
exec timeout 420 "$py" scripts/gpu_check.py "${args[@]+"${args[@]}"}"
