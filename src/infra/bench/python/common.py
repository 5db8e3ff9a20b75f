"""Shared plumbing for the Python runners: the JSON-lines protocol, shared files, timing loops.

Protocol: one request line on stdin; hello / progress / result (or unavailable / error) lines on stdout.
Anything else a library prints goes to stderr, so stdout carries protocol lines only.
"""

import json
import math
import os
import resource
import signal
import sys
import time
import traceback

import numpy as np

# Keep a private handle on the real stdout, then point fd 1 at stderr so C/C++ libraries that
# print (oneDNN verbose, TensorFlow logging) cannot corrupt the protocol stream.
_PROTO = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(message):
    """Writes one protocol message."""
    _PROTO.write(json.dumps(message) + "\n")
    _PROTO.flush()


def read_request():
    """Reads the request line."""
    line = sys.stdin.readline()
    if not line.strip():
        raise RuntimeError("no request line on stdin")
    return json.loads(line)


def now_ms():
    """Milliseconds from a monotonic clock."""
    return time.perf_counter() * 1000.0


def peak_rss_mb():
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def apply_fault(request):
    """Fault injection for supervisor tests on the real runners."""
    fault = request.get("fault", "none")
    if fault == "crash":
        sys.stderr.write("fault injection: crashing on purpose\n")
        sys.stderr.flush()
        os.abort()
    if fault in ("hang", "hang-ignore-sigterm"):
        if fault == "hang-ignore-sigterm":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.stderr.write("fault injection: %s\n" % fault)
        sys.stderr.flush()
        while True:
            time.sleep(1)


def read_tensors(path, refs):
    """Tensors from a shared binary file: {name: numpy array} with the dtype and shape of each ref."""
    out = {}
    with open(path, "rb") as f:
        buf = f.read()
    for ref in refs:
        dtype = np.float32 if ref["dtype"] == "float32" else np.int32
        count = int(np.prod(ref["shape"])) if ref["shape"] else 1
        arr = np.frombuffer(buf, dtype=dtype, count=count, offset=ref["offset"]).reshape(ref["shape"])
        out[ref["name"]] = arr.copy()
    return out


def empty_raw():
    """A result record with every field empty."""
    return {
        "first_step_ms": None,
        "train_step_ms": [],
        "train_repeat_ms": [],
        "first_infer_ms": None,
        "infer_latency_ms": [],
        "infer_repeat_ms": [],
        "infer_iters": 0,
        "matmul_ms": [],
        "matmul_repeat_ms": [],
        "first_loss": None,
        "final_loss": None,
        "steps_trained": None,
        "peak_memory_mb": None,
        "memory_kind": "rss",
        "notes": [],
        "harness": None,
        "losses": [],
        "weight_delta_norm": None,
        "compile_ms": None,
        "matmul_iters": 0,
    }


def time_training(request, step, raw, after_repeat=None):
    """Same protocol as the Node runners: step 0 alone, warm-up, then repeats x steps, each step timed.

    `step(i)` must return the loss of batch i as a float only once the step has finished on the device.
    `after_repeat(index, repeat_ms)`, when given, runs untimed after each repetition and returns the next batch
    index (the harness interleaves torch.utils.benchmark there, so both clocks see the same machine state).
    """
    index = 0
    losses = raw["losses"]
    t = now_ms()
    first_loss = step(index)
    raw["first_step_ms"] = now_ms() - t
    losses.append(float(first_loss))
    index += 1
    for _ in range(request["warmup"]):
        losses.append(float(step(index)))
        index += 1
    last = first_loss
    for r in range(request["repeats"]):
        start = now_ms()
        for _ in range(request["steps"]):
            t = now_ms()
            last = step(index)
            raw["train_step_ms"].append(now_ms() - t)
            losses.append(float(last))
            index += 1
        raw["train_repeat_ms"].append(now_ms() - start)
        send({"type": "progress", "phase": "train", "done": r + 1, "total": request["repeats"]})
        if after_repeat is not None:
            index = after_repeat(index, raw["train_repeat_ms"][-1])
    raw["first_loss"] = float(first_loss)
    raw["final_loss"] = float(last)
    raw["steps_trained"] = index
    return index


def calls_for(request, base, call_ms):
    """Calls per timed repetition: at least `base`, and enough to last `minRepeatMs` (short repetitions are noise)."""
    want = request.get("minRepeatMs", 0) / max(call_ms, 1e-3)
    return int(min(10000, max(base, math.ceil(want))))


def time_inference(request, iters, one, large, raw):
    """Batch-1 latency (every call timed) and large-batch throughput (per repetition); host in, host out.

    The large-batch repetition makes at least `iters` calls and lasts at least `minRepeatMs`.
    """
    t = now_ms()
    one(0)
    raw["first_infer_ms"] = now_ms() - t
    large()
    t = now_ms()
    large()
    iters = calls_for(request, iters, now_ms() - t)
    for r in range(request["repeats"]):
        for s in range(request["steps"]):
            t = now_ms()
            one(s + 1)
            raw["infer_latency_ms"].append(now_ms() - t)
        start = now_ms()
        for _ in range(iters):
            large()
        raw["infer_repeat_ms"].append(now_ms() - start)
        send({"type": "progress", "phase": "infer", "done": r + 1, "total": request["repeats"]})
    raw["infer_iters"] = iters


def time_matmul(request, once, raw):
    """First multiplication alone, warm-up, then repeats x (at least `steps`, and `minRepeatMs`) multiplications."""
    t = now_ms()
    once()
    raw["first_step_ms"] = now_ms() - t
    for _ in range(request["warmup"]):
        once()
    t = now_ms()
    once()
    count = calls_for(request, request["steps"], now_ms() - t)
    raw["matmul_iters"] = count
    for r in range(request["repeats"]):
        start = now_ms()
        for _ in range(count):
            t = now_ms()
            once()
            raw["matmul_ms"].append(now_ms() - t)
        raw["matmul_repeat_ms"].append(now_ms() - start)
        send({"type": "progress", "phase": "matmul", "done": r + 1, "total": request["repeats"]})


def host_batches(x, count, start):
    """`count` consecutive samples from `start`, wrapping around the dataset."""
    n = x.shape[0]
    idx = (np.arange(count) + start) % n
    return np.ascontiguousarray(x[idx])


def run_main(main):
    """Runs `main(request)`; an exception becomes an `error` line and a non-zero exit."""
    try:
        request = read_request()
        main(request)
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001 - every failure must reach the orchestrator as a message
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        send({"type": "error", "message": "%s: %s" % (type(err).__name__, err)})
        sys.exit(1)
