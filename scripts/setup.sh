#!/usr/bin/env bash
# Sets up TensorDuel on a fresh Debian/Ubuntu machine: PyTorch for the benchmarks (Debian's python3-torch,
# OpenBLAS, ONNX), then the Node dependencies. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
/usr/bin/python3 -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: apt-get install ${need[*]} (PyTorch for benchmarks)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# onnxruntime-node's postinstall would download the CUDA provider; the CPU build in the npm tarball is enough.
# GPU hosts with CUDA 12 can use ONNXRUNTIME_NODE_INSTALL=cuda12 instead.
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL:-skip}"
npm ci --no-audit --no-fund
echo "setup: done. Start with 'npm start' (terminal chat unless Slack/Discord tokens are set in .env)."
