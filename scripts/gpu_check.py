"""The GPU check behind scripts/gpu-check.sh: the PyTorch runner on CUDA against direct PyTorch, one table.

Matmul fp32 / tf32 / bf16 at N = 8192 through the runner (its own process, the JSON-lines protocol) next to the
same GEMM timed directly here with CUDA events; then mlp and cnn training through the runner. Weights and data
are written here (seeded Glorot weights, synthetic MNIST-shaped digits), so Node is not needed on the GPU host.
With --cpu (or no CUDA) the same checks run on CPU with tiny sizes: CI runs that so the script never rots.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "src", "infra", "bench", "python", "torch_runner.py")


def glorot(rng, shape):
    fan_in = int(np.prod(shape[:-1]))
    fan_out = shape[-1] * (int(np.prod(shape[:-2])) if len(shape) > 2 else 1)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def params(kind):
    if kind == "mlp":
        return [("fc1.kernel", [784, 128]), ("fc1.bias", [128]), ("fc2.kernel", [128, 10]), ("fc2.bias", [10])]
    return [
        ("conv1.kernel", [5, 5, 1, 6]), ("conv1.bias", [6]),
        ("conv2.kernel", [5, 5, 6, 16]), ("conv2.bias", [16]),
        ("fc1.kernel", [400, 120]), ("fc1.bias", [120]),
        ("fc2.kernel", [120, 84]), ("fc2.bias", [84]),
        ("fc3.kernel", [84, 10]), ("fc3.bias", [10]),
    ]  # fmt: skip


def write_tensors(path, arrays):
    refs, offset = [], 0
    with open(path, "wb") as f:
        for name, arr in arrays:
            dtype = "int32" if arr.dtype == np.int32 else "float32"
            refs.append({"name": name, "dtype": dtype, "shape": list(arr.shape), "offset": offset})
            f.write(arr.tobytes())
            offset += arr.nbytes
    return refs


def workload(kind, batch, samples):
    common = {"id": kind, "title": kind, "description": kind, "seed": 1234, "kind": kind}
    if kind == "matmul":
        return {**common, "size": {"cpu": 256, "cuda": 8192}, "run": {"steps": 10, "warmup": 3, "repeats": 5},
                "precisions": ["fp32", "tf32", "bf16"]}  # fmt: skip
    model = {"hidden": 128} if kind == "mlp" else {"conv1Filters": 6, "conv2Filters": 16, "kernel": 5, "dense": [120, 84]}
    return {
        **common,
        "data": {"source": "mnist", "samples": samples},
        "model": model,
        "train": {"batch": batch, "optimizer": {"name": "adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  "loss": "cross-entropy"},
        "infer": {"largeBatch": batch * 8, "throughputIters": 3},
        "equivalence": {"firstLossRelTol": 1e-4, "traceLossRelTol": 0.005, "weightDeltaRelTol": 0.002},
        "precisions": ["fp32", "tf32", "bf16"],
        "run": {"steps": 20, "warmup": 3, "repeats": 3},
    }  # fmt: skip


def run_runner(request, timeout):
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS=str(request["threads"]))
    if request["precision"] == "fp32":
        env["NVIDIA_TF32_OVERRIDE"] = "0"
    p = subprocess.run(
        [sys.executable, RUNNER], input=json.dumps(request) + "\n", capture_output=True, text=True, timeout=timeout, env=env
    )
    msgs = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    hello = next((m for m in msgs if m["type"] == "hello"), None)
    for m in msgs:
        if m["type"] == "result":
            return "ok", hello, m["raw"]
        if m["type"] in ("unavailable", "error"):
            return m["type"], hello, m.get("reason") or m.get("message")
    return "failed", hello, (p.stderr.strip().splitlines() or ["no output"])[-1]


def direct_matmul(torch, device, n, precision, reps):
    """The same GEMM timed here: median over reps of (10 multiplications), CUDA events on GPU."""
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    gen = torch.Generator(device="cpu").manual_seed(1234)
    a = (torch.rand(n, n, generator=gen) * 2 - 1).to(device=device, dtype=dtype)
    b = (torch.rand(n, n, generator=gen) * 2 - 1).to(device=device, dtype=dtype)
    for _ in range(3):
        torch.matmul(a, b)
    times = []
    for _ in range(reps):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(10):
                torch.matmul(a, b)
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end) / 10)
        else:
            t = time.perf_counter()
            for _ in range(10):
                torch.matmul(a, b)
            times.append((time.perf_counter() - t) * 100)
    return 2 * n**3 / (float(np.median(times)) / 1000) / 1e12


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", action="store_true", help="CPU fallback with tiny sizes (what CI runs)")
    ap.add_argument("--json", help="also write the rows as JSON to this file")
    args = ap.parse_args()
    import torch

    cuda = torch.cuda.is_available() and not args.cpu
    device = torch.device("cuda", 0) if cuda else torch.device("cpu")
    if not cuda:
        torch.set_num_threads(1)  # as the runner, which gets OMP_NUM_THREADS=1
    name = torch.cuda.get_device_name(0) if cuda else "CPU"
    print("gpu-check: torch %s, device %s%s" % (torch.__version__, name, "" if cuda else " (CPU fallback)"), flush=True)
    work = tempfile.mkdtemp(prefix="td-gpu-check-")
    rows = []
    base = {"protocol": 1, "op": "run", "device": "cuda" if cuda else "cpu", "threads": 1, "backend": "auto",
            "fault": "none", "minRepeatMs": 100 if cuda else 20}  # fmt: skip
    precisions = ["fp32", "tf32", "bf16"] if cuda else ["fp32"]
    n = 8192 if cuda else 256
    for precision in precisions:
        req = {**base, "runner": "torch", "workload": workload("matmul", 0, 0), "precision": precision, "repeats": 5,
               "steps": 10, "warmup": 3, "inferBatch": 1, "matmulSize": n,
               "files": {"weights": None, "weightTensors": [], "data": None, "dataTensors": [], "onnx": None}}  # fmt: skip
        status, hello, raw = run_runner(req, 300)
        runner_tf = None
        if status == "ok":
            count = raw.get("matmul_iters") or 10
            runner_tf = float(np.median([count * 2 * n**3 / (ms / 1000) / 1e12 for ms in raw["matmul_repeat_ms"]]))
        direct = direct_matmul(torch, device, n, precision, 5)
        rows.append({"check": "matmul %s N=%d" % (precision, n), "status": status, "runner": runner_tf,
                     "direct": direct, "unit": "TFLOP/s", "note": "" if status == "ok" else str(raw)[:80]})  # fmt: skip
    batch, samples = (128, 10240) if cuda else (32, 256)
    rng = np.random.default_rng(1234)
    for kind in ("mlp", "cnn"):
        w = workload(kind, batch, samples)
        wpath, dpath = os.path.join(work, kind + ".weights.bin"), os.path.join(work, kind + ".data.bin")
        wrefs = write_tensors(wpath, [(nm, glorot(rng, s) if nm.endswith("kernel") else np.zeros(s, np.float32)) for nm, s in params(kind)])
        x = rng.random((samples, 784) if kind == "mlp" else (samples, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, size=samples).astype(np.int32)
        drefs = write_tensors(dpath, [("x", x), ("y", y)])
        steps = 20 if cuda else 3
        req = {**base, "runner": "torch", "workload": w, "precision": "fp32", "repeats": 3, "steps": steps,
               "warmup": 3 if cuda else 1, "inferBatch": batch * 8, "matmulSize": None,
               "files": {"weights": wpath, "weightTensors": wrefs, "data": dpath, "dataTensors": drefs, "onnx": None}}  # fmt: skip
        status, hello, raw = run_runner(req, 300)
        value, note = None, ""
        if status == "ok":
            value = float(np.median([steps * batch / (ms / 1000) for ms in raw["train_repeat_ms"]]))
            note = "loss %.4f -> %.4f, %s" % (raw["first_loss"], raw["final_loss"], (hello or {}).get("backend"))
        else:
            note = str(raw)[:80]
        rows.append({"check": "%s training fp32" % kind, "status": status, "runner": value, "direct": None,
                     "unit": "samples/s", "note": note})  # fmt: skip
    print("")
    print("| check | status | runner | direct PyTorch | runner / direct | note |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for r in rows:
        fmt = lambda v: "—" if v is None else ("%.4g %s" % (v, r["unit"]))  # noqa: E731
        ratio = "%.3f" % (r["runner"] / r["direct"]) if r["runner"] and r["direct"] else "—"
        print("| %s | %s | %s | %s | %s | %s |" % (r["check"], r["status"], fmt(r["runner"]), fmt(r["direct"]), ratio, r["note"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": name, "torch": torch.__version__, "rows": rows}, f, indent=2)
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
