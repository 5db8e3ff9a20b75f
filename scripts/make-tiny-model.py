#!/usr/bin/env python3
"""Writes a tiny random-weight BERT encoder in the transformers.js folder layout: a test fixture, NOT a model.

    /usr/bin/python3 scripts/make-tiny-model.py [OUT_DIR]    (default: test/fixtures/models/tiny-random-bert)

The folder holds config.json, tokenizer.json (a WordPiece tokenizer over a small vocabulary written here:
special tokens, single characters and their ## continuations, a few hundred words), tokenizer_config.json,
special_tokens_map.json, vocab.txt and onnx/model.onnx (a 2-layer, 2-head, 32-wide post-LN BERT with
inputs input_ids, attention_mask, token_type_ids and output last_hidden_state). Weights are drawn from a
seeded generator, so running the script again writes byte-identical files (.ci/run checks this). The vectors
mean nothing: the fixture is for testing that a local model loads offline, tokenizes, pools and normalises.

Needs numpy and the `onnx` package (Debian's python3-onnx, installed by scripts/setup.sh); no torch.
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN = 32
LAYERS = 2
HEADS = 2
INTERMEDIATE = 64
MAX_POSITIONS = 128
TYPE_VOCAB = 2
SEED = 1234
EPS = 1e-12

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHARS = list("abcdefghijklmnopqrstuvwxyz0123456789") + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
WORDS = """
the a an and or of to in on for with at by from is are was be it this that which what how why when who
does do can should will would could my our your we you i they there faster slower fast slow speed train trains
training trained inference deploy deployment production research community size large small team teams
model models data learning deep machine neural network networks gpu gpus cpu tpu mobile web server cloud
tensorflow pytorch torch keras tf pt jax onnx runtime graph eager execution dynamic static debug debugging
easier easy hard learn python api apis code example examples library libraries framework frameworks
better best more most than vs versus compare comparison performance benchmark benchmarks memory
ecosystem support documentation popular industry academic paper papers project projects use using
""".split()


def vocabulary():
    words = [w for w in dict.fromkeys(WORDS) if w not in CHARS]
    return SPECIAL + CHARS + ["##" + c for c in CHARS] + words


def tokenizer_json(vocab):
    ids = {t: i for i, t in enumerate(vocab)}
    added = [
        {"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in SPECIAL
    ]
    special = lambda t, type_id: {"SpecialToken": {"id": t, "type_id": type_id}}  # noqa: E731
    seq = lambda s, type_id: {"Sequence": {"id": s, "type_id": type_id}}  # noqa: E731
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0)],
            "pair": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1), special("[SEP]", 1)],
            "special_tokens": {
                t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def bert_graph(vocab_size):
    rng = np.random.RandomState(SEED)
    inits = []

    def weight(name, *shape, scale=0.1):
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def const(name, value, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    nodes = []
    counter = [0]

    def node(op, inputs, **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def layer_norm(x, prefix):
        gamma = const(f"{prefix}.gamma", np.ones(HIDDEN))
        beta = const(f"{prefix}.beta", np.zeros(HIDDEN))
        return node("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=EPS)

    def dense(x, prefix, n_in, n_out):
        return node("Add", [node("MatMul", [x, weight(f"{prefix}.weight", n_in, n_out)]),
                            weight(f"{prefix}.bias", n_out, scale=0.02)])

    head_dim = HIDDEN // HEADS
    const("c.one_f", 1.0)
    const("c.mask_min", -10000.0)
    const("c.scale", 1.0 / np.sqrt(head_dim))
    const("c.sqrt2", np.sqrt(2.0))
    const("c.half", 0.5)
    const("c.zero_i", 0, np.int64)
    const("c.one_i", 1, np.int64)
    const("c.axes12", [1, 2], np.int64)
    const("c.heads_shape", [0, 0, HEADS, head_dim], np.int64)
    const("c.hidden_shape", [0, 0, HIDDEN], np.int64)

    # Embeddings: word + absolute position + token type, then LayerNorm.
    seq_len = node("Gather", [node("Shape", ["input_ids"]), "c.one_i"], axis=0)  # a scalar index: a scalar
    positions = node("Range", ["c.zero_i", seq_len, "c.one_i"])
    x = node("Add", [node("Gather", [weight("emb.word", vocab_size, HIDDEN), "input_ids"]),
                     node("Gather", [weight("emb.position", MAX_POSITIONS, HIDDEN), positions])])
    x = node("Add", [x, node("Gather", [weight("emb.token_type", TYPE_VOCAB, HIDDEN), "token_type_ids"])])
    x = layer_norm(x, "emb.ln")

    # Additive attention mask: 0 where attended, -10000 at padding; shape [batch, 1, 1, seq].
    mask = node("Unsqueeze", [node("Cast", ["attention_mask"], to=TensorProto.FLOAT), "c.axes12"])
    mask_bias = node("Mul", [node("Sub", ["c.one_f", mask]), "c.mask_min"])

    for i in range(LAYERS):
        p = f"layer{i}"
        split = lambda t: node("Reshape", [t, "c.heads_shape"])  # noqa: E731  [b, s, heads, head_dim]
        q = node("Transpose", [split(dense(x, f"{p}.q", HIDDEN, HIDDEN))], perm=[0, 2, 1, 3])
        k = node("Transpose", [split(dense(x, f"{p}.k", HIDDEN, HIDDEN))], perm=[0, 2, 3, 1])
        v = node("Transpose", [split(dense(x, f"{p}.v", HIDDEN, HIDDEN))], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), "c.scale"]), mask_bias])
        context = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        context = node("Reshape", [node("Transpose", [context], perm=[0, 2, 1, 3]), "c.hidden_shape"])
        x = layer_norm(node("Add", [x, dense(context, f"{p}.attn_out", HIDDEN, HIDDEN)]), f"{p}.attn_ln")
        h = dense(x, f"{p}.ffn_in", HIDDEN, INTERMEDIATE)
        gelu = node("Mul", [node("Mul", [h, "c.half"]),
                            node("Add", ["c.one_f", node("Erf", [node("Div", [h, "c.sqrt2"])])])])
        x = layer_norm(node("Add", [x, dense(gelu, f"{p}.ffn_out", INTERMEDIATE, HIDDEN)]), f"{p}.ffn_ln")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims)
              for n in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [HIDDEN])
    graph = helper.make_graph(nodes, "tiny_random_bert", inputs, [output], inits)
    # Opset 17 (LayerNormalization) and IR 8: what onnxruntime-node and Debian's onnx 1.12 both handle.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make-tiny-model")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "test", "fixtures", "models", "tiny-random-bert")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    vocab = vocabulary()
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "hidden_size": HIDDEN,
        "intermediate_size": INTERMEDIATE, "layer_norm_eps": EPS, "max_position_embeddings": MAX_POSITIONS,
        "num_attention_heads": HEADS, "num_hidden_layers": LAYERS, "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": TYPE_VOCAB, "vocab_size": len(vocab),
    })
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(vocab))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "do_basic_tokenize": True,
        "tokenize_chinese_chars": True, "strip_accents": None, "model_max_length": MAX_POSITIONS,
        "clean_up_tokenization_spaces": True, "cls_token": "[CLS]", "sep_token": "[SEP]",
        "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
    })
    write_json(os.path.join(out, "special_tokens_map.json"), {
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
    })
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    onnx.save(bert_graph(len(vocab)), os.path.join(out, "onnx", "model.onnx"))
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(
            "# tiny-random-bert: a test fixture, NOT a model\n\n"
            "Written by `scripts/make-tiny-model.py` (run it again to rebuild this folder byte for byte).\n"
            f"A BERT encoder in the transformers.js layout with RANDOM weights (seed {SEED}): vocabulary {len(vocab)},\n"
            f"hidden {HIDDEN}, {LAYERS} layers, {HEADS} heads. Its vectors mean nothing: use it only to test loading,\n"
            "tokenizing, pooling and normalising, never retrieval quality.\n"
        )
    print(f"make-tiny-model: wrote {os.path.relpath(out)} (vocab {len(vocab)}, hidden {HIDDEN}, {LAYERS} layers)")


if __name__ == "__main__":
    main()
