"""The Python TensorFlow runner: the same models as the TF.js runner, as tf.function graphs (CUDA when visible),
with TensorFlow's own fused Adam kernel (ResourceApplyAdam) and TF32 set explicitly (TensorFlow enables it by
default on Ampere+, so fp32 rows switch it off). Runner `tf-xla` compiles the same graphs with XLA
(jit_compile=True, what Keras 3 `fit` uses by default where it can).
"""

import math
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from common import (  # noqa: E402
        apply_fault,
        empty_raw,
        host_batches,
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

    reason = "cannot import tensorflow with %s: it needs numpy (%s)" % (sys.executable, err)
    print(json.dumps({"type": "unavailable", "reason": reason}), flush=True)
    sys.exit(0)

try:
    import tensorflow as tf
except Exception as err:  # noqa: BLE001 - any import failure means "unavailable"
    send({"type": "unavailable", "reason": "cannot import tensorflow with %s: %s" % (sys.executable, err)})
    sys.exit(0)


def dense(p, name, x):
    return tf.matmul(x, p[name + ".kernel"]) + p[name + ".bias"]


def mlp(p, w, x):
    return dense(p, "fc2", tf.nn.relu(dense(p, "fc1", x)))


def cnn(p, w, x):
    h = tf.nn.relu(tf.nn.conv2d(x, p["conv1.kernel"], 1, "SAME") + p["conv1.bias"])
    h = tf.nn.max_pool2d(h, 2, 2, "VALID")
    h = tf.nn.relu(tf.nn.conv2d(h, p["conv2.kernel"], 1, "VALID") + p["conv2.bias"])
    h = tf.nn.max_pool2d(h, 2, 2, "VALID")
    h = tf.reshape(h, [tf.shape(h)[0], -1])
    return dense(p, "fc3", tf.nn.relu(dense(p, "fc2", tf.nn.relu(dense(p, "fc1", h)))))


def encoder(p, w, tokens):
    m = w["model"]
    d, heads, length = m["dModel"], m["heads"], m["seqLen"]
    dh = d // heads
    n = tf.shape(tokens)[0]

    def ln(t, name):
        mean, var = tf.nn.moments(t, axes=[-1], keepdims=True)
        return (t - mean) / tf.sqrt(var + 1e-5) * p[name + ".gamma"] + p[name + ".beta"]

    def proj(t, name):
        width = p[name + ".kernel"].shape[0]
        return tf.reshape(dense(p, name, tf.reshape(t, [-1, width])), [n, length, -1])

    def split(t):
        return tf.transpose(tf.reshape(t, [n, length, heads, dh]), [0, 2, 1, 3])

    h = tf.gather(p["embed.tokens"], tokens) + p["embed.positions"]
    a = ln(h, "ln1")
    q, k, v = split(proj(a, "attn.q")), split(proj(a, "attn.k")), split(proj(a, "attn.v"))
    att = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * (1.0 / math.sqrt(dh)), axis=-1)
    ctx = tf.reshape(tf.transpose(tf.matmul(att, v), [0, 2, 1, 3]), [n, length, d])
    h = h + proj(ctx, "attn.out")
    h = h + proj(tf.nn.relu(proj(ln(h, "ln2"), "ffn.1")), "ffn.2")
    return dense(p, "head", tf.reduce_mean(h, axis=1))


MODELS = {"mlp": mlp, "cnn": cnn, "transformer": encoder}


def configure(request):
    """Threads, visible devices and TF32, all before the first op. Returns (device string or None, reason).

    Threads are pinned on CPU only: on a GPU TensorFlow's host thread pools feed the device, and capping them at
    one would handicap it against PyTorch, whose CUDA path does not use them.
    """
    gpus = tf.config.list_physical_devices("GPU")
    if request["device"] == "cpu" and gpus:
        tf.config.set_visible_devices([], "GPU")
        gpus = []
    if request["device"] == "cuda" and not gpus:
        return None, "CUDA requested but TensorFlow %s sees no GPU" % tf.__version__
    if not gpus:
        tf.config.threading.set_intra_op_parallelism_threads(request["threads"])
        tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.experimental.enable_tensor_float_32_execution(request["precision"] == "tf32")
    return ("/GPU:0" if gpus else "/CPU:0"), None


def probe(request):
    build = tf.sysconfig.get_build_info()
    send(
        {
            "type": "probe",
            "info": {
                "version": tf.__version__,
                "python": sys.executable,
                "pythonVersion": platform.python_version(),
                "cuda": build.get("cuda_version"),
                "cudnn": build.get("cudnn_version"),
                "devices": [d.name for d in tf.config.list_physical_devices("GPU")],
            },
        }
    )


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def onednn_enabled():
    """TensorFlow uses oneDNN kernels on x86 CPUs unless TF_ENABLE_ONEDNN_OPTS=0."""
    return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") not in ("0", "false", "False")


def run(request):
    device, reason = configure(request)
    if device is None:
        send({"type": "unavailable", "reason": reason})
        return
    gpu = device.startswith("/GPU")
    xla = request["runner"] == "tf-xla"
    build = tf.sysconfig.get_build_info()
    details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0]) if gpu else {}
    cpu_backend = "cpu (Eigen%s)" % (" + oneDNN" if onednn_enabled() else ", oneDNN off")
    send(
        {
            "type": "hello",
            "engineVersion": tf.__version__,
            "backend": ("cuda (cuDNN %s)" % build.get("cudnn_version")) if gpu else cpu_backend,
            "device": "cuda" if gpu else "cpu",
            "deviceName": details.get("device_name") if gpu else cpu_name(),
            # On GPU the host pools keep TensorFlow's defaults (see configure).
            "threads": None if gpu else request["threads"],
            "tf32": tf.config.experimental.tensor_float_32_execution_enabled(),
            "mode": "graph (tf.function, XLA jit_compile)" if xla else "graph (tf.function)",
            "driver": None,
            "cuda": build.get("cuda_version") if gpu else None,
            "versions": {"python": platform.python_version(), "tensorflow": tf.__version__},
        }
    )
    w = request["workload"]
    if request["precision"] != "fp32" and not gpu:
        send({"type": "unavailable", "reason": "%s needs a CUDA GPU" % request["precision"]})
        return
    apply_fault(request)
    if gpu:
        tf.config.experimental.reset_memory_stats("GPU:0")
    raw = empty_raw()
    if gpu and request["precision"] == "fp32":
        raw["notes"].append("TensorFlow enables TF32 by default on Ampere and newer GPUs; this fp32 row turns it off")
    with tf.device(device):
        if w["kind"] == "matmul":
            n = request["matmulSize"] or w["size"]["cuda" if gpu else "cpu"]
            dtype = tf.bfloat16 if request["precision"] == "bf16" else tf.float32
            # Inputs are made (and cast) before timing: the timed call is the GEMM alone, as in PyTorch.
            a = tf.cast(tf.random.stateless_uniform([n, n], seed=[w["seed"], 0], minval=-1, maxval=1), dtype)
            b = tf.cast(tf.random.stateless_uniform([n, n], seed=[w["seed"], 1], minval=-1, maxval=1), dtype)
            mm = tf.function(lambda: tf.matmul(a, b), jit_compile=xla)
            sync = tf.test.experimental.sync_devices if gpu else (lambda: None)

            def once():
                c = mm()
                sync()  # on CPU the call returns once the product is computed
                return c

            time_matmul(request, once, raw)
        else:
            train_and_infer(request, w, raw, xla)
    if gpu:
        raw["peak_memory_mb"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
        raw["memory_kind"] = "cuda-allocated"
    else:
        raw["peak_memory_mb"] = peak_rss_mb()
    send({"type": "result", "raw": raw})


def train_and_infer(request, w, raw, xla):
    files = request["files"]
    weights = read_tensors(files["weights"], files["weightTensors"])
    data = read_tensors(files["data"], files["dataTensors"])
    model = MODELS[w["kind"]]
    bf16 = request["precision"] == "bf16"

    def forward(p, w, x):
        if not bf16:
            return model(p, w, x)
        # Mixed precision like torch.autocast: fp32 master weights, bf16 compute, fp32 loss.
        p16 = {k: tf.cast(v, tf.bfloat16) for k, v in p.items()}
        x16 = x if x.dtype == tf.int32 else tf.cast(x, tf.bfloat16)
        return tf.cast(model(p16, w, x16), tf.float32)

    params = {name: tf.Variable(value, name=name.replace(".", "_")) for name, value in weights.items()}
    variables = list(params.values())
    opt = w["train"]["optimizer"]
    m = [tf.Variable(tf.zeros_like(v)) for v in variables]
    s = [tf.Variable(tf.zeros_like(v)) for v in variables]
    b1p = tf.Variable(1.0)
    b2p = tf.Variable(1.0)

    @tf.function(jit_compile=xla)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = forward(params, w, x)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, variables)
        b1p.assign(b1p * opt["beta1"])
        b2p.assign(b2p * opt["beta2"])
        for var, mv, sv, g in zip(variables, m, s, grads):
            tf.raw_ops.ResourceApplyAdam(
                var=var.handle,
                m=mv.handle,
                v=sv.handle,
                beta1_power=b1p,
                beta2_power=b2p,
                lr=tf.constant(opt["lr"]),
                beta1=tf.constant(opt["beta1"]),
                beta2=tf.constant(opt["beta2"]),
                epsilon=tf.constant(opt["epsilon"]),
                grad=g,
            )
        return loss

    batch = w["train"]["batch"]
    x_all, y_all = data["x"], data["y"]
    batches = x_all.shape[0] // batch
    xb = [tf.constant(x_all[i * batch : (i + 1) * batch]) for i in range(batches)]
    yb = [tf.constant(y_all[i * batch : (i + 1) * batch]) for i in range(batches)]
    send({"type": "progress", "phase": "train", "done": 0, "total": request["repeats"]})
    time_training(request, lambda i: float(train_step(xb[i % batches], yb[i % batches]).numpy()), raw)
    raw["weight_delta_norm"] = math.sqrt(
        sum(float(tf.reduce_sum(tf.square(v - weights[name]))) for name, v in params.items())
    )
    if xla:
        # Step 0 traces the graph and XLA-compiles it: the compile time, reported apart.
        raw["compile_ms"] = raw["first_step_ms"]

    spec = tf.TensorSpec([None] + list(x_all.shape[1:]), tf.int32 if w["kind"] == "transformer" else tf.float32)
    infer = tf.function(lambda x: forward(params, w, x), input_signature=[spec], jit_compile=xla)
    large = host_batches(x_all, request["inferBatch"], 0)
    iters = min(w["infer"]["throughputIters"], request["steps"])
    send({"type": "progress", "phase": "infer", "done": 0, "total": request["repeats"]})
    time_inference(
        request,
        iters,
        lambda i: infer(tf.constant(host_batches(x_all, 1, i))).numpy(),
        lambda: infer(tf.constant(large)).numpy(),
        raw,
    )
    raw["notes"].append("Adam via TensorFlow's fused ResourceApplyAdam kernel (epsilon-hat form)")


def main(request):
    if request["op"] == "probe":
        probe(request)
    elif request["op"] == "run":
        run(request)
    else:
        raise ValueError("the TensorFlow runner does not support op %s" % request["op"])


if __name__ == "__main__":
    run_main(main)
