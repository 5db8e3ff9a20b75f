"""The PyTorch runner: trains and infers the shared models (eager, or torch.compile), times GEMMs, and exports
the models to ONNX for the ONNX Runtime runner. CUDA when available: torch.cuda.synchronize() closes every
timed region, TF32 flags are set explicitly, bf16 runs under autocast.
"""

import contextlib
import inspect
import math
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from common import (  # noqa: E402
        apply_fault,
        empty_raw,
        host_batches,
        now_ms,
        peak_rss_mb,
        read_tensors,
        run_main,
        send,
        time_inference,
        time_matmul,
        time_training,
    )
except ImportError as err:  # numpy (which common.py needs) is missing: this Python can't run the runner
    import json

    reason = "cannot import torch with %s: it needs numpy (%s)" % (sys.executable, err)
    print(json.dumps({"type": "unavailable", "reason": reason}), flush=True)
    sys.exit(0)

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as err:  # noqa: BLE001 - any import failure means "unavailable"
    send({"type": "unavailable", "reason": "cannot import torch with %s: %s" % (sys.executable, err)})
    sys.exit(0)


# ---------------------------------------------------------------- models (TensorFlow weight layout on disk)


def dense_from(weights, name, layer):
    """Loads a [in, out] kernel and bias into an nn.Linear ([out, in])."""
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weights[name + ".kernel"]).t())
        layer.bias.copy_(torch.from_numpy(weights[name + ".bias"]))


class MLP(nn.Module):
    def __init__(self, w, weights):
        super().__init__()
        self.fc1 = nn.Linear(784, w["model"]["hidden"])
        self.fc2 = nn.Linear(w["model"]["hidden"], 10)
        dense_from(weights, "fc1", self.fc1)
        dense_from(weights, "fc2", self.fc2)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class CNN(nn.Module):
    """LeNet-5 style; input NHWC [n, 28, 28, 1] like TensorFlow, flattened in NHWC order like TensorFlow."""

    def __init__(self, w, weights):
        super().__init__()
        m = w["model"]
        k = m["kernel"]
        self.conv1 = nn.Conv2d(1, m["conv1Filters"], k, padding=k // 2)
        self.conv2 = nn.Conv2d(m["conv1Filters"], m["conv2Filters"], k)
        self.fc1 = nn.Linear(5 * 5 * m["conv2Filters"], m["dense"][0])
        self.fc2 = nn.Linear(m["dense"][0], m["dense"][1])
        self.fc3 = nn.Linear(m["dense"][1], 10)
        with torch.no_grad():
            for name, conv in (("conv1", self.conv1), ("conv2", self.conv2)):
                # [kh, kw, in, out] -> [out, in, kh, kw]
                conv.weight.copy_(torch.from_numpy(weights[name + ".kernel"]).permute(3, 2, 0, 1))
                conv.bias.copy_(torch.from_numpy(weights[name + ".bias"]))
        for name in ("fc1", "fc2", "fc3"):
            dense_from(weights, name, getattr(self, name))

    def forward(self, x):
        n = x.shape[0]
        h = x.reshape(n, 1, 28, 28)  # one channel: NHWC and NCHW share the same memory order
        h = F.max_pool2d(F.relu(self.conv1(h)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = h.permute(0, 2, 3, 1).reshape(n, -1)  # NHWC flatten, as TensorFlow does
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(h)))))


class Encoder(nn.Module):
    """Token + position embeddings, one pre-LayerNorm encoder block, mean pooling, linear head."""

    def __init__(self, w, weights):
        super().__init__()
        m = w["model"]
        d = m["dModel"]
        self.heads = m["heads"]
        self.d = d
        p = lambda name: nn.Parameter(torch.from_numpy(weights[name]).clone())  # noqa: E731
        self.tokens = p("embed.tokens")
        self.positions = p("embed.positions")
        self.ln1_g, self.ln1_b = p("ln1.gamma"), p("ln1.beta")
        self.ln2_g, self.ln2_b = p("ln2.gamma"), p("ln2.beta")
        self.q, self.k, self.v, self.out = (nn.Linear(d, d) for _ in range(4))
        self.ffn1 = nn.Linear(d, m["ffn"])
        self.ffn2 = nn.Linear(m["ffn"], d)
        self.head = nn.Linear(d, m["classes"])
        for name, layer in (
            ("attn.q", self.q),
            ("attn.k", self.k),
            ("attn.v", self.v),
            ("attn.out", self.out),
            ("ffn.1", self.ffn1),
            ("ffn.2", self.ffn2),
            ("head", self.head),
        ):
            dense_from(weights, name, layer)

    def forward(self, tokens):
        n, length = tokens.shape
        d, heads = self.d, self.heads
        dh = d // heads
        h = F.embedding(tokens.long(), self.tokens) + self.positions
        a = F.layer_norm(h, (d,), self.ln1_g, self.ln1_b, 1e-5)

        def split(t):
            return t.reshape(n, length, heads, dh).transpose(1, 2)

        q, k, v = split(self.q(a)), split(self.k(a)), split(self.v(a))
        att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dh)), dim=-1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(n, length, d)
        h = h + self.out(ctx)
        f = F.layer_norm(h, (d,), self.ln2_g, self.ln2_b, 1e-5)
        h = h + self.ffn2(F.relu(self.ffn1(f)))
        return self.head(h.mean(dim=1))


class MatMul(nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


MODELS = {"mlp": MLP, "cnn": CNN, "transformer": Encoder}


# ---------------------------------------------------------------- environment


def blas_libraries():
    """BLAS/LAPACK shared objects mapped into this process (which BLAS Debian's alternatives picked)."""
    found = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.strip().split(" ")[-1]
                if not path.startswith("/"):
                    continue
                real = os.path.realpath(path)
                base = os.path.basename(real)
                if any(s in base for s in ("openblas", "libblas", "mkl_rt", "libmkl", "blis", "atlas")):
                    if real not in found:
                        found.append(real)
    except OSError:
        pass
    return found


def short_lib(real):
    """Debian's alternatives put libblas.so.3 in a folder naming the implementation: keep that folder."""
    base = os.path.basename(real)
    parent = os.path.basename(os.path.dirname(real))
    return base if parent.startswith(("lib", "x86_64", "aarch64", "site-packages")) else parent + "/" + base


def openblas_core(path):
    """openblas_get_corename() of a loaded OpenBLAS (the kernels it picked for this CPU), or None."""
    import ctypes

    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    for symbol in ("openblas_get_corename", "openblas_get_corename64_", "scipy_openblas_get_corename64_"):
        fn = getattr(lib, symbol, None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            try:
                return fn().decode()
            except Exception:  # noqa: BLE001
                return None
    return None


def blas_info():
    """The BLAS torch's CPU matmuls use, as the host has it (nothing is changed): library, version, core, ISA.

    torch's build config names the BLAS (BLAS_INFO=mkl for PyPI wheels, which link MKL statically; open or blas
    for Debian's, which call libblas.so.3). For OpenBLAS the core is openblas_get_corename(); OPENBLAS_CORETYPE,
    when set, is reported as it is.
    """
    import re

    config = torch.__config__.show()
    library = (re.search(r"BLAS_INFO=(\w+)", config) or [None, None])[1]
    capability = None
    with contextlib.suppress(Exception):
        capability = torch.backends.cpu.get_cpu_capability()
    libs = blas_libraries()
    info = {
        "library": library,
        "version": None,
        "core": None,
        "cpuCapability": capability,
        "libraries": [short_lib(p) for p in libs],
        "coretypeEnv": os.environ.get("OPENBLAS_CORETYPE"),
    }
    if library == "mkl":
        m = re.search(r"Math Kernel Library Version (\d+(?:\.\d+)*)", config)
        info["version"] = m.group(1) if m else None
        info["core"] = "MKL dispatches by CPU at run time (MKL_VERBOSE=1 names its path)"
    else:
        # Debian's torch calls the system libblas.so.3; numpy's bundled OpenBLAS is not the one torch uses.
        ours = [p for p in libs if "openblas" in os.path.basename(p) and "numpy" not in p and "scipy" not in p]
        if ours:
            info["library"] = "openblas"
            info["core"] = openblas_core(ours[0])
    return info


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def resolve_device(request):
    cuda = torch.cuda.is_available()
    if request["device"] == "cuda" and not cuda:
        return None, "CUDA requested but torch.cuda.is_available() is False (torch %s, built for CUDA %s)" % (
            torch.__version__,
            torch.version.cuda,
        )
    if request["device"] == "cpu" or not cuda:
        return torch.device("cpu"), None
    return torch.device("cuda", 0), None


def configure_precision(device, precision):
    """Sets TF32 flags explicitly for every precision; returns (tf32, autocast dtype or None, reason if unsupported)."""
    tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    if hasattr(torch, "set_float32_matmul_precision"):
        torch.set_float32_matmul_precision("high" if tf32 else "highest")
    if precision == "fp32":
        return False, None, None
    if device.type != "cuda":
        return tf32, None, "%s needs a CUDA GPU (this run is on CPU)" % precision
    major, _ = torch.cuda.get_device_capability(device)
    if precision == "tf32" and major < 8:
        return tf32, None, "TF32 needs compute capability 8.0 or newer (Ampere+)"
    if precision == "bf16" and not bf16_native(device):
        return tf32, None, "this GPU has no native bf16 (compute capability %d.x; bf16 needs 8.0+)" % major
    return tf32, (torch.bfloat16 if precision == "bf16" else None), None


def bf16_native(device):
    """True when the GPU runs bf16 natively: is_bf16_supported() counts emulation unless told not to."""
    if "including_emulation" in inspect.signature(torch.cuda.is_bf16_supported).parameters:
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return torch.cuda.get_device_capability(device)[0] >= 8


def hello(request, device, tf32, mode):
    blas = None
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        backend = "cuda (cuDNN %s, cudnn.benchmark %s)" % (
            torch.backends.cudnn.version(),
            "on" if torch.backends.cudnn.benchmark else "off",
        )
        name = props.name
    else:
        blas = blas_info()
        onednn = "oneDNN" if torch.backends.mkldnn.is_available() else "no oneDNN"
        lib = blas["library"] or "BLAS unknown"
        if blas["version"]:
            lib += " " + blas["version"]
        if blas["core"] and blas["library"] == "openblas":
            lib += ", core " + blas["core"]
        backend = "cpu (%s, %s, ATen %s)" % (lib, onednn, blas["cpuCapability"] or "?")
        name = cpu_name()
    send(
        {
            "type": "hello",
            "engineVersion": torch.__version__,
            "backend": backend,
            "device": device.type,
            "deviceName": name,
            "threads": torch.get_num_threads(),
            "tf32": tf32,
            "mode": mode,
            "driver": None,
            "cuda": torch.version.cuda if device.type == "cuda" else None,
            "versions": {"python": platform.python_version(), "torch": torch.__version__},
            "blas": blas,
        }
    )


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# ---------------------------------------------------------------- ops


def probe(request):
    info = {
        "version": torch.__version__,
        "python": sys.executable,
        "pythonVersion": platform.python_version(),
        "cuda": torch.version.cuda,
        "cudaAvailable": torch.cuda.is_available(),
        "devices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        if torch.cuda.is_available()
        else [],
        "compile": False,
        "blas": blas_info(),
        "threads": torch.get_num_threads(),
    }
    info["compile"], info["compileError"] = compile_trial()
    try:
        import onnx  # noqa: F401

        info["onnx"] = onnx.__version__
    except Exception:  # noqa: BLE001
        info["onnx"] = None
    send({"type": "probe", "info": info})


def compile_trial():
    """(True, None) when torch.compile really compiles a tiny function here; hasattr(torch, "compile") is not
    enough (e.g. Python 3.12 with torch < 2.4, or no C++ compiler for inductor's CPU code)."""
    if not hasattr(torch, "compile"):
        return False, "torch.compile needs PyTorch 2.0 or newer (found %s)" % torch.__version__
    try:
        fn = torch.compile(lambda x: torch.relu(x) * 2 + 1)
        out = fn(torch.arange(-2.0, 2.0))
        if out.tolist() != [1.0, 1.0, 1.0, 3.0]:
            return False, "torch.compile gave a wrong result in the trial"
        return True, None
    except Exception as err:  # noqa: BLE001 - any failure means compile is unusable here
        return False, "trial torch.compile failed: %s: %s" % (type(err).__name__, str(err).splitlines()[0][:200])


def load_model(request, device):
    w = request["workload"]
    weights = read_tensors(request["files"]["weights"], request["files"]["weightTensors"])
    return MODELS[w["kind"]](w, weights).to(device)


def export(request):
    """Exports the workload's model (shared initial weights) or the GEMM to ONNX for ONNX Runtime."""
    w = request["workload"]
    path = request["files"]["onnx"]
    kwargs = {"opset_version": 14, "do_constant_folding": True}
    # PyTorch >= 2.9 defaults to the dynamo exporter (needs onnxscript); the TorchScript one needs nothing more.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    if w["kind"] == "matmul":
        a = torch.zeros(4, 4)
        # Dynamic axes: one file serves every N and device the ONNX Runtime runner picks.
        axes = {"a": {0: "m", 1: "k"}, "b": {0: "k", 1: "n"}, "c": {0: "m", 1: "n"}}
        torch.onnx.export(
            MatMul(), (a, a), path, input_names=["a", "b"], output_names=["c"], dynamic_axes=axes, **kwargs
        )
    else:
        model = load_model(request, torch.device("cpu")).eval()
        data = read_tensors(request["files"]["data"], request["files"]["dataTensors"])
        x = torch.from_numpy(host_batches(data["x"], 2, 0))
        torch.onnx.export(
            model,
            (x,),
            path,
            input_names=["x"],
            output_names=["logits"],
            dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
            **kwargs,
        )
    send({"type": "exported", "path": path})


def run(request, harness=False):
    torch.manual_seed(request["workload"]["seed"])
    torch.set_num_threads(request["threads"])
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    device, reason = resolve_device(request)
    if device is None:
        send({"type": "unavailable", "reason": reason})
        return
    compiled = request["runner"] == "torch-compile"
    if compiled and not hasattr(torch, "compile"):
        send({"type": "unavailable", "reason": "torch.compile needs PyTorch 2.0 or newer (found %s)" % torch.__version__})
        return
    if device.type == "cuda":
        # Shapes are fixed and the first step is timed apart, so let cuDNN autotune as TensorFlow does by default.
        torch.backends.cudnn.benchmark = True
    tf32, autocast_dtype, reason = configure_precision(device, request["precision"])
    mode = "compiled (torch.compile, inductor)" if compiled else "eager"
    hello(request, device, tf32, mode)
    if reason:
        send({"type": "unavailable", "reason": reason})
        return
    apply_fault(request)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    raw = empty_raw()
    w = request["workload"]
    amp = (
        (lambda: torch.autocast(device_type=device.type, dtype=autocast_dtype))
        if autocast_dtype
        else contextlib.nullcontext
    )
    if w["kind"] == "matmul":
        n = request["matmulSize"] or w["size"][device.type]
        gen = torch.Generator(device="cpu").manual_seed(w["seed"])
        dtype = torch.bfloat16 if request["precision"] == "bf16" else torch.float32
        a = (torch.rand(n, n, generator=gen) * 2 - 1).to(device=device, dtype=dtype)
        b = (torch.rand(n, n, generator=gen) * 2 - 1).to(device=device, dtype=dtype)

        def once():
            torch.matmul(a, b)
            sync(device)

        time_matmul(request, once, raw)
    else:
        train_and_infer(request, device, amp, compiled, raw, harness)
    if device.type == "cuda":
        raw["peak_memory_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
        raw["memory_kind"] = "cuda-allocated"
    else:
        raw["peak_memory_mb"] = peak_rss_mb()
    send({"type": "result", "raw": raw})


def train_and_infer(request, device, amp, compiled, raw, harness):
    w = request["workload"]
    data = read_tensors(request["files"]["data"], request["files"]["dataTensors"])
    model = load_model(request, device)
    initial = [p.detach().clone() for p in model.parameters()]
    step_model = torch.compile(model) if compiled else model
    opt_cfg = w["train"]["optimizer"]
    optimizer = torch.optim.Adam(
        model.parameters(), lr=opt_cfg["lr"], betas=(opt_cfg["beta1"], opt_cfg["beta2"]), eps=opt_cfg["epsilon"]
    )
    batch = w["train"]["batch"]
    x_all, y_all = data["x"], data["y"]
    batches = x_all.shape[0] // batch
    # The dataset lives on the device, pre-split into batches (a prefetched input pipeline), as in TF.js.
    xb = [torch.from_numpy(x_all[i * batch : (i + 1) * batch]).to(device) for i in range(batches)]
    yb = [torch.from_numpy(y_all[i * batch : (i + 1) * batch]).long().to(device) for i in range(batches)]
    model.train()

    def step(i):
        x, y = xb[i % batches], yb[i % batches]
        optimizer.zero_grad(set_to_none=True)
        with amp():
            logits = step_model(x)
        loss = F.cross_entropy(logits.float(), y)
        loss.backward()
        optimizer.step()
        sync(device)
        return loss.item()

    send({"type": "progress", "phase": "train", "done": 0, "total": request["repeats"]})
    if harness:
        timer = HarnessTimer(request, step)
        time_training(request, step, raw, after_repeat=timer.measure)
        timer.report(raw)
        return
    time_training(request, step, raw)
    with torch.no_grad():
        raw["weight_delta_norm"] = math.sqrt(
            sum(float(((p.detach().float() - p0.float()) ** 2).sum()) for p, p0 in zip(model.parameters(), initial))
        )
    if compiled:
        # Step 0 traces and compiles forward and backward: that is the compile time, reported apart.
        raw["compile_ms"] = raw["first_step_ms"]

    model.eval()
    infer_model = torch.compile(model) if compiled else model
    large = host_batches(x_all, request["inferBatch"], 0)

    def call(host):
        with torch.inference_mode(), amp():
            out = infer_model(torch.from_numpy(host).to(device))
            out.float().cpu()
        sync(device)

    iters = min(w["infer"]["throughputIters"], request["steps"])
    send({"type": "progress", "phase": "infer", "done": 0, "total": request["repeats"]})
    time_inference(request, iters, lambda i: call(host_batches(x_all, 1, i)), lambda: call(large), raw)


class HarnessTimer:
    """torch.utils.benchmark's measurement of the very same step closure, in the same process, for the harness.

    After each of the runner's timed repetitions, Timer.blocked_autorange measures the step for as long as that
    repetition took; the blocks of every round are merged (Measurement.merge) into one median. Interleaving keeps
    both clocks exposed to the same machine state (load from other processes, CPU frequency), so a difference
    reflects the timing method, not the moment of measurement.
    """

    def __init__(self, request, step):
        from torch.utils import benchmark

        self.benchmark = benchmark
        self.step = step
        self.index = 0
        self.measurements = []
        self.timer = benchmark.Timer(
            stmt="timed_step()",
            globals={"timed_step": self._timed_step},
            num_threads=request["threads"],
            label=request["workload"]["id"],
            description="torch.utils.benchmark.Timer.blocked_autorange",
        )

    def _timed_step(self):
        self.step(self.index)
        self.index += 1

    def measure(self, index, repeat_ms):
        self.index = index
        self.measurements.append(self.timer.blocked_autorange(min_run_time=max(0.1, repeat_ms / 1000.0)))
        return self.index

    def report(self, raw):
        merged = self.benchmark.Measurement.merge(self.measurements)[0]
        per_run = sorted({m.number_per_run for m in self.measurements})
        raw["harness"] = {
            "timer_median_ms": merged.median * 1000.0,
            "timer_iqr_ms": merged.iqr * 1000.0,
            "timer_runs": len(merged.times),
            "description": "blocked_autorange after each of %d repetitions, merged: %d blocks of %s step(s)"
            % (len(self.measurements), len(merged.times), "/".join(str(n) for n in per_run)),
        }


def main(request):
    op = request["op"]
    if op == "probe":
        probe(request)
    elif op == "export":
        export(request)
    elif op == "run":
        run(request)
    elif op == "harness":
        run(request, harness=True)
    else:
        raise ValueError("unknown op %s" % op)


if __name__ == "__main__":
    run_main(main)
