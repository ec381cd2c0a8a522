#!/usr/bin/env python3
"""Export a Hugging Face encoder (with or without a sequence-classification head) as a clstream bundle.

    python3 model-export/export_hf.py MODEL_ID_OR_DIR OUT_DIR [--quantize int8 | --fp16] [options]

The bundle holds model.onnx (opset >= 17, dynamic batch and sequence axes, output
``last_hidden_state`` and, when the model has a head, ``logits``), the model's tokenizer.json,
bundle.json (labels from ``id2label``, max length from the config) and parity.json: the parity
texts with the Python tokenizer's ids and the PyTorch fp32 model's [CLS] state h_0 and class
probabilities. Before writing, the exported graph is run by ONNX Runtime on those texts and
compared with PyTorch; an fp32 export outside ``--tolerance`` (max abs diff, default 1e-4) fails.
int8 and fp16 exports are approximations of the fp32 model: their differences are reported and
recorded, and the tolerance stored for them is the measured difference with a margin, so that
``clstream verify-bundle`` (the Java engine on the same parity.json) still catches a broken bundle.

Only local files are read: pass a directory, or a model id already in the Hugging Face cache
(HF_HUB_OFFLINE is set unless --allow-download is given).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

EXPORT_FORMAT_VERSION = 1
PARITY_FORMAT_VERSION = 1
DEFAULT_OPSET = 17
FP32_TOLERANCE = 1e-4
# Quantised and half-precision graphs are checked against what they measured at export, times this margin.
APPROXIMATE_MARGIN = 4.0

# The texts both exporters check by default (Java's train-head reads the same file from its class path).
DEFAULT_PARITY_TEXTS_FILE = Path(__file__).resolve().parent / "src/main/resources/dev/clstream/export/parity-texts.jsonl"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="Hugging Face model id (from the local cache) or a local model directory")
    p.add_argument("out", type=Path, help="bundle directory to write (must not exist, or be empty)")
    p.add_argument("--name", help="bundle name (default: derived from the model id)")
    p.add_argument("--version", default="1.0.0", help="bundle version (default: %(default)s)")
    p.add_argument("--description", default="", help="bundle description")
    p.add_argument("--max-length", type=int,
                   help="max tokens per text incl. special tokens (default: from the model config and tokenizer)")
    p.add_argument("--no-head", action="store_true",
                   help="export only the encoder even if the model has a classification head")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--quantize", choices=["int8"], help="dynamic int8 quantisation of the weights (CPU)")
    group.add_argument("--fp16", action="store_true", help="half-precision weights, float32 inputs/outputs (GPU)")
    p.add_argument("--opset", type=int, default=DEFAULT_OPSET, help="ONNX opset, >= 17 (default: %(default)s)")
    p.add_argument("--parity-texts", type=Path,
                   help="file with one text per line (or JSON lines with a 'text' field) for the parity check "
                        "(default: model-export/src/main/resources/dev/clstream/export/parity-texts.jsonl)")
    p.add_argument("--tolerance", type=float, default=FP32_TOLERANCE,
                   help="max abs diff allowed between ONNX Runtime and PyTorch for fp32 (default: %(default)s)")
    p.add_argument("--allow-download", action="store_true",
                   help="let transformers fetch the model from the Hugging Face Hub")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.opset < 17:
        fail(f"--opset must be >= 17, got {args.opset}")
    if not args.allow_download:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        report = export(args)
    except ExportError as e:
        fail(str(e))
    print(json.dumps(report, indent=2))
    return 0


class ExportError(Exception):
    pass


def fail(message):
    print(f"export_hf.py: {message}", file=sys.stderr)
    sys.exit(2)


def export(args):
    # onnx before torch: Debian's torch carries its own copy of the ONNX operator schemas, and the onnx module's
    # native code crashes (segfault) in shape inference and checking when it registers second.
    import onnx  # noqa: F401
    import numpy as np
    import torch
    import transformers

    out = args.out
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"{out} exists and is not empty")
    texts = read_parity_texts(args.parity_texts or DEFAULT_PARITY_TEXTS_FILE)

    tokenizer = load_tokenizer(args.model)
    model, has_head = load_model(args.model, want_head=not args.no_head)
    max_length = resolve_max_length(args.max_length, model.config, tokenizer)
    labels = label_names(model.config) if has_head else []
    input_names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    if "input_ids" not in input_names or "attention_mask" not in input_names:
        raise ExportError(f"the tokenizer feeds {tokenizer.model_input_names}; clstream needs input_ids and "
                          "attention_mask")

    encoded = [tokenizer(t, truncation=True, max_length=max_length, return_attention_mask=True) for t in texts]
    truncated = [len(tokenizer(t, truncation=False)["input_ids"]) > max_length for t in texts]
    check_leading_special_token(tokenizer, encoded)
    wrapper = wrap_encoder(model, has_head)

    # The PyTorch fp32 reference: every text alone, so padding plays no part.
    reference = []
    with torch.no_grad():
        for enc in encoded:
            feeds = {n: torch.tensor([enc[n]], dtype=torch.long) for n in input_names}
            outputs = wrapper(*[feeds[n] for n in input_names])
            h0 = outputs[0][0, 0].double().numpy()
            probs = softmax(outputs[1][0].double().numpy()) if has_head else None
            reference.append((h0, probs))

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32_path = Path(tmp) / "model-fp32.onnx"
        export_onnx(wrapper, tokenizer, input_names, has_head, fp32_path, args.opset)
        if args.quantize == "int8":
            variant = "int8"
            final = Path(tmp) / "model-int8.onnx"
            quantize_int8(fp32_path, final)
        elif args.fp16:
            variant = "fp16"
            final = Path(tmp) / "model-fp16.onnx"
            convert_fp16(fp32_path, final)
        else:
            variant = "fp32"
            final = fp32_path
        shutil.copyfile(final, out / "model.onnx")
    write_tokenizer_json(tokenizer, out / "tokenizer.json")

    measured = run_onnx(out / "model.onnx", input_names, encoded, has_head)
    diff_h0 = max(float(np.max(np.abs(m[0] - r[0]))) for m, r in zip(measured, reference))
    diff_p = max(float(np.max(np.abs(m[1] - r[1]))) for m, r in zip(measured, reference)) if has_head else 0.0
    if variant == "fp32":
        if diff_h0 > args.tolerance or diff_p > args.tolerance:
            shutil.rmtree(out)
            raise ExportError(f"parity check failed: ONNX Runtime vs PyTorch max abs diff h_0 {diff_h0:.3g}, "
                              f"probabilities {diff_p:.3g}, allowed {args.tolerance:g}")
        tolerance = {"cls_embedding": args.tolerance, "probabilities": args.tolerance}
    else:
        tolerance = {"cls_embedding": approximate_tolerance(diff_h0, args.tolerance),
                     "probabilities": approximate_tolerance(diff_p, args.tolerance)}

    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "onnx": module_version("onnx"), "onnxruntime": module_version("onnxruntime"),
                "tokenizers": module_version("tokenizers"), "python": sys.version.split()[0]}
    parity = {
        "format_version": PARITY_FORMAT_VERSION,
        "reference": f"PyTorch {torch.__version__} fp32, transformers {transformers.__version__}, "
                     f"tokenizers {versions['tokenizers']}; each text run alone",
        "variant": variant,
        "tolerance": tolerance,
        "export_check": {"runtime": f"onnxruntime {versions['onnxruntime']} (Python, CPU)",
                         "cls_embedding_max_abs_diff": diff_h0,
                         "probabilities_max_abs_diff": diff_p if has_head else None},
        "texts": [parity_entry(*entry) for entry in zip(texts, encoded, truncated, reference)],
    }
    (out / "parity.json").write_text(json.dumps(parity, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    name = args.name or default_name(args.model, variant)
    manifest = {
        "format_version": EXPORT_FORMAT_VERSION,
        "name": name,
        "version": args.version,
        "description": args.description or f"{args.model} ({model.config.model_type}, {variant}) exported by export_hf.py",
        "max_length": max_length,
        "labels": labels,
        "files": {f: sha256(out / f) for f in ("model.onnx", "tokenizer.json", "parity.json")},
        "provenance": {
            "source": str(args.model),
            "model_type": model.config.model_type,
            "architecture": type(model).__name__,
            "variant": variant,
            "opset": args.opset,
            "exported_at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
            "exporter": "model-export/export_hf.py",
            "versions": versions,
        },
    }
    if has_head:
        manifest["logits"] = {"source": "graph", "output": "logits"}
    else:
        del manifest["labels"]
    (out / "bundle.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {"bundle": str(out), "name": name, "variant": variant, "labels": labels, "max_length": max_length,
            "inputs": graph_inputs(out / "model.onnx"), "outputs": ["last_hidden_state"] + (["logits"] if has_head else []),
            "parity": {"texts": len(texts), "cls_embedding_max_abs_diff": diff_h0,
                       "probabilities_max_abs_diff": diff_p if has_head else None,
                       "tolerance": tolerance}}


def read_parity_texts(path):
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        texts.append(json.loads(line)["text"] if line.lstrip().startswith("{") else line)
    if not texts:
        raise ExportError(f"{path}: no texts")
    return texts


def load_tokenizer(source):
    from transformers import AutoTokenizer
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True)
    except (OSError, ValueError) as e:
        raise ExportError(f"cannot load a tokenizer from {source}: {e}") from e
    if not getattr(tokenizer, "is_fast", False):
        raise ExportError(f"{source}: no fast (tokenizers) tokenizer could be made; clstream needs tokenizer.json")
    return tokenizer


def load_model(source, want_head):
    """The model with its head when it has one (architectures ending in ForSequenceClassification)."""
    from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification
    try:
        config = AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as e:
        raise ExportError(f"cannot load a model config from {source}: {e}") from e
    archs = config.architectures or []
    has_head = want_head and any(a.endswith("ForSequenceClassification") for a in archs)
    loader = AutoModelForSequenceClassification if has_head else AutoModel
    try:
        # Eager attention traces to plain MatMul/Softmax, which every ONNX Runtime provider runs.
        model = loader.from_pretrained(source, attn_implementation="eager")
    except (OSError, ValueError, TypeError) as e:
        raise ExportError(f"cannot load {source} as {loader.__name__}: {e}") from e
    if getattr(model.config, "is_encoder_decoder", False) or getattr(model.config, "is_decoder", False):
        raise ExportError(f"{source} is not an encoder-only model ({model.config.model_type})")
    return model.float().eval(), has_head


def resolve_max_length(requested, config, tokenizer):
    positions = getattr(config, "max_position_embeddings", None)
    if positions and getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert"):
        positions -= 2  # RoBERTa-style position ids start after the padding index
    limits = [v for v in (positions, tokenizer.model_max_length) if v and v < 1_000_000]
    derived = min(limits) if limits else 512
    if requested is None:
        return derived
    if requested < 3 or requested > derived:
        raise ExportError(f"--max-length must be in [3, {derived}] for this model, got {requested}")
    return requested


def label_names(config):
    id2label = {int(k): v for k, v in (config.id2label or {}).items()}
    if sorted(id2label) != list(range(config.num_labels)):
        raise ExportError(f"config.id2label {config.id2label} does not name labels 0..{config.num_labels - 1}")
    names = [str(id2label[i]) for i in range(config.num_labels)]
    if len(set(names)) != len(names):
        raise ExportError(f"config.id2label has repeated names: {names}")
    return names


def check_leading_special_token(tokenizer, encoded):
    special = set(tokenizer.all_special_ids)
    for enc in encoded:
        if enc["input_ids"][0] not in special:
            raise ExportError("the tokenizer does not put a special token ([CLS] / <s>) first; h_0 would not be the "
                              "sequence representation")


def softmax(logits):
    import numpy as np
    z = logits - np.max(logits)
    e = np.exp(z)
    return e / e.sum()


class _Capture:
    """Keeps the base model's last_hidden_state as the head consumes it, so the graph runs the encoder once."""

    def __init__(self):
        self.value = None

    def __call__(self, module, inputs, output):
        self.value = output[0] if isinstance(output, tuple) else output.last_hidden_state


def wrap_encoder(model, has_head):
    """A module whose outputs are the graph's: (last_hidden_state,) or (last_hidden_state, logits)."""
    import torch

    class EncoderOutputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model
            self.capture = _Capture()
            if has_head:
                model.base_model.register_forward_hook(self.capture)

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                kwargs["token_type_ids"] = token_type_ids
            out = self.model(**kwargs, return_dict=True)
            if not has_head:
                return (out.last_hidden_state,)
            return self.capture.value, out.logits

    return EncoderOutputs().eval()


def export_onnx(wrapper, tokenizer, input_names, has_head, path, opset):
    import torch
    sample = tokenizer(["a short text", "and a somewhat longer second text for the sample"], padding=True,
                       return_tensors="pt")
    args = tuple(sample[n] for n in input_names)
    output_names = ["last_hidden_state"] + (["logits"] if has_head else [])
    axes = {n: {0: "batch", 1: "sequence"} for n in input_names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    if has_head:
        axes["logits"] = {0: "batch"}
    kwargs = dict(input_names=input_names, output_names=output_names, dynamic_axes=axes, opset_version=opset,
                  do_constant_folding=True)
    # The TorchScript exporter: it needs no onnxscript and gives stable initializer names.
    with torch.no_grad():
        try:
            torch.onnx.export(wrapper, args, str(path), dynamo=False, **kwargs)
        except TypeError:
            torch.onnx.export(wrapper, args, str(path), **kwargs)
    import onnx
    onnx.checker.check_model(onnx.load(str(path), load_external_data=False))


def graph_inputs(path):
    import onnx
    return [i.name for i in onnx.load(str(path), load_external_data=False).graph.input]


def quantize_int8(src, dst):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


def convert_fp16(src, dst):
    import onnx
    try:
        from onnxruntime.transformers.float16 import convert_float_to_float16
    except ImportError as e:
        raise ExportError(f"--fp16 needs onnxruntime's transformers tools (onnxruntime.transformers.float16): {e}")
    model = onnx.load(str(src))
    # Float32 inputs and outputs keep the bundle's interface; LayerNorm-style ops stay fp32 for range.
    half = convert_float_to_float16(model, keep_io_types=True)
    onnx.save(half, str(dst))


def run_onnx(path, input_names, encoded, has_head):
    import numpy as np
    import onnxruntime as ort
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    # The exporter drops inputs the model ignores (token_type_ids of a DeBERTa-v2 without token types, say);
    # clstream feeds what the graph declares, and so does this check.
    declared = {i.name for i in session.get_inputs()}
    results = []
    for enc in encoded:
        feeds = {n: np.array([enc[n]], dtype=np.int64) for n in input_names if n in declared}
        outs = session.run(None, feeds)
        h0 = outs[0][0, 0].astype(np.float64)
        probs = softmax(outs[1][0].astype(np.float64)) if has_head else None
        results.append((h0, probs))
    return results


def approximate_tolerance(measured, floor):
    if measured == 0.0:
        return floor
    # One significant figure above measured x margin: readable in parity.json, and never below the fp32 floor.
    raw = max(measured * APPROXIMATE_MARGIN, floor)
    scale = 10 ** math.floor(math.log10(raw))
    return float(f"{math.ceil(raw / scale) * scale:.6g}")


def parity_entry(text, enc, truncated, ref):
    h0, probs = ref
    entry = {"text": text,
             "input_ids": [int(i) for i in enc["input_ids"]],
             "truncated": truncated,
             "cls_embedding": [float(v) for v in h0]}
    if "token_type_ids" in enc:
        entry["token_type_ids"] = [int(i) for i in enc["token_type_ids"]]
    if probs is not None:
        entry["probabilities"] = [float(v) for v in probs]
    return entry


def write_tokenizer_json(tokenizer, path):
    backend = tokenizer.backend_tokenizer
    # clstream sets truncation itself from bundle.json and pads per batch.
    backend.no_truncation()
    backend.no_padding()
    backend.save(str(path))


def default_name(source, variant):
    base = Path(str(source).rstrip("/")).name if Path(str(source)).exists() else str(source).split("/")[-1]
    base = "".join(c if c.isalnum() or c in "._-" else "-" for c in base).strip("-") or "model"
    return base if variant == "fp32" else f"{base}-{variant}"


def module_version(name):
    try:
        module = __import__(name)
        return getattr(module, "__version__", "unknown")
    except ImportError:
        return None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
