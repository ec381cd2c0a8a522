#!/usr/bin/env python3
"""Fine-tune an encoder with a classification head on its [CLS] state, and export the result as a clstream bundle.

    python3 model-export/fine_tune.py SOURCE OUT_DIR --data FILE [--format labeled|spamassassin] [options]

SOURCE is a Hugging Face encoder directory, or a clstream bundle whose model.onnx (a BERT encoder) is imported into an
equivalent PyTorch model; the import is checked against ONNX Runtime on the parity texts (max abs diff of h_0
<= --import-tolerance, default 1e-4) before anything is trained. The head is clstream's: softmax(W h_0 + b) on the final
hidden state at position 0 (no pooler), so the bundle's labels come from the same h_0 the embeddings topic carries.

Training: the labeled examples (JSON lines or CSV, optionally .gz, with text and label: the formats train-head reads;
or the derived SpamAssassin corpus) are split into a held-out test part (seeded and stratified, or the ids of
--held-out, e.g. the file train-head wrote, for the very split the frozen heads were judged on) and a training part,
of which --validation-fraction is kept apart for early stopping. AdamW with linear warm-up and decay; after each epoch
the validation loss is measured, the best epoch is kept, and training stops after --patience epochs without
improvement. The held-out evaluation is printed and recorded in bundle.json.

Calibration: one temperature T, fitted on the validation part (the log loss of softmax(z / T), for the spamassassin
format on each validation message's full, short and subject views, the texts a stream carries) and folded into the
head (W / T, b / T): the labels stay, the probabilities say how often they are right. --no-calibration leaves it out.

Export: the fine-tuned encoder goes through export_hf.py's path (ONNX, PyTorch parity, optional --quantize int8), and
the head is written into bundle.json as a linear head, with the parity texts' probabilities in parity.json. The held-out
evaluation recorded in bundle.json is the exported bundle's own (ONNX Runtime, one text per run, as the stream runs
it), so an int8 export is judged as int8. --save-model keeps the fine-tuned encoder and head; --export-only exports
such a directory again without training.
Runs on CUDA where torch sees a GPU (--device auto), else on the CPU.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import hashlib
import io
import json
import math
import os
import random
import shlex
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_hf  # noqa: E402

FINE_TUNE_VERSION = "fine-tune-1"
IMPORT_TOLERANCE = 1e-4
# parity.json tolerances of an int8 export against its own outputs in Python's ONNX Runtime. Other ONNX Runtime
# versions and CPUs take other integer kernels: the Java engine's h_0 differed by up to 0.24 here (probabilities
# 0.007), so h_0 gets room and the probabilities, which a changed head or graph moves, stay tight.
APPROXIMATE_SELF_TOLERANCE = {"cls_embedding": 0.5, "probabilities": 5e-2}


class FineTuneError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="a Hugging Face encoder directory, or a clstream bundle directory (model.onnx)")
    p.add_argument("out", type=Path, help="bundle directory to write (must not exist, or be empty)")
    p.add_argument("--data", type=Path, required=True, help="labeled examples: .jsonl/.ndjson/.csv, optionally .gz")
    p.add_argument("--format", choices=["labeled", "spamassassin"], default="labeled",
                   help="labeled (--text-field/--label-field) or spamassassin (model-export/data format)")
    p.add_argument("--text-field", default="text")
    p.add_argument("--label-field", default="label")
    p.add_argument("--id-field", default="id")
    p.add_argument("--labels", help="label names in id order, comma-separated (default: sorted distinct labels)")
    p.add_argument("--seed", type=int, default=42, help="split, initialisation and shuffling seed (default: 42)")
    p.add_argument("--test-fraction", type=float, default=0.2, help="held-out share per class (default: 0.2)")
    p.add_argument("--held-out", type=Path,
                   help="JSON lines (optionally .gz) whose ids are the held-out part, e.g. train-head's "
                        "--held-out-file; then --seed/--test-fraction must be the ones that file was made with")
    p.add_argument("--validation-fraction", type=float, default=0.1,
                   help="share of the training part kept apart for early stopping (default: 0.1)")
    p.add_argument("--epochs", type=int, default=4, help="most epochs (default: 4)")
    p.add_argument("--patience", type=int, default=1, help="epochs without a better validation loss before "
                                                             "stopping (default: 1)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5, help="encoder learning rate (default: 5e-5)")
    p.add_argument("--head-lr", type=float, default=1e-3, help="head learning rate (default: 1e-3)")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup", type=float, default=0.1, help="share of the steps with a rising learning rate")
    p.add_argument("--max-length", type=int, help="max tokens per text (default: the source's)")
    p.add_argument("--limit", type=int, help="train on at most this many examples (a quick trial)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--num-heads", type=int, help="attention heads of an imported ONNX encoder (default: found by "
                                                  "the parity check)")
    p.add_argument("--import-tolerance", type=float, default=IMPORT_TOLERANCE)
    p.add_argument("--name", help="bundle name (default: the output directory's name)")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--description", default="")
    p.add_argument("--encoder-source", default="", help="where the encoder came from (recorded in provenance)")
    p.add_argument("--quantize", choices=["int8"], help="also quantise the exported encoder (dynamic int8, CPU)")
    p.add_argument("--log", type=Path, help="also write each epoch as a JSON line to this file")
    p.add_argument("--save-model", type=Path, help="also keep the fine-tuned encoder and head here (Hugging Face "
                                                   "directory, head.json), e.g. to export another variant later")
    p.add_argument("--export-only", action="store_true",
                   help="train nothing: SOURCE is a --save-model directory, exported again (e.g. with --quantize "
                        "int8) with the same split arguments, calibrated and judged on its held-out part")
    p.add_argument("--no-calibration", action="store_true",
                   help="keep the head's probabilities as trained (default: temperature scaling fitted on the "
                        "validation part)")
    return p.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.command = "fine_tune.py " + shlex.join(argv)  # recorded in provenance; run in model-export/
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        report = fine_tune(args)
    except (FineTuneError, export_hf.ExportError) as e:
        print(f"fine_tune.py: {e}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


# ---------------------------------------------------------------------------------------------------- data

def read_examples(args):
    """(id, text, label, (subject, body) or None) in file order, as train-head reads them."""
    path = args.data
    opener = gzip.open if path.name.endswith(".gz") else open
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        content = f.read()
    out = []
    if args.format == "spamassassin":
        for line in content.split("\n"):
            if line.strip():
                n = json.loads(line)
                subject, body = n.get("subject") or "", n.get("body") or ""
                text = body if not subject else subject if not body else subject + "\n\n" + body
                out.append((str(n.get("id")), text, n["label"], (subject, body)))
    elif name.endswith(".csv"):
        for i, row in enumerate(csv.DictReader(io.StringIO(content))):
            out.append((row.get(args.id_field) or str(i + 1), row[args.text_field], row[args.label_field], None))
    else:
        for i, line in enumerate(content.split("\n")):
            if line.strip():
                n = json.loads(line)
                out.append((str(n.get(args.id_field, i + 1)), n[args.text_field], str(n[args.label_field]), None))
    if not out:
        raise FineTuneError(f"{path}: no examples")
    return out


def stratified_split(labels, fraction, seed):
    """(train, test) index lists: each class shuffled on its own, round(fraction * size) of it to test."""
    rnd = random.Random(seed)
    train, test = [], []
    for label in sorted(set(labels)):
        members = [i for i, l in enumerate(labels) if l == label]
        rnd.shuffle(members)
        n = round(len(members) * fraction)
        test += members[:n]
        train += members[n:]
    return sorted(train), sorted(test)


def read_ids(path):
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return {str(json.loads(line)["id"]) for line in f if line.strip()}


# ---------------------------------------------------------------------------------------------------- models

def load_source(args):
    """(encoder module, tokenizer, max_length, import report): a Hugging Face directory or an imported bundle."""
    source = Path(args.source)
    if (source / "bundle.json").is_file() and (source / "model.onnx").is_file():
        return import_bundle(source, args)
    tokenizer = export_hf.load_tokenizer(args.source)
    encoder, _ = export_hf.load_model(args.source, want_head=False)
    max_length = export_hf.resolve_max_length(args.max_length, encoder.config, tokenizer)
    return encoder, tokenizer, max_length, {"source": str(args.source), "kind": "huggingface"}


def import_bundle(bundle_dir, args):
    """The bundle's ONNX BERT encoder as a transformers BertModel, checked against ONNX Runtime on the parity texts."""
    import onnx  # noqa: F401  (before torch: see export_hf.export)
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnx import numpy_helper
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    manifest = json.loads((bundle_dir / "bundle.json").read_text(encoding="utf-8"))
    graph = onnx.load(str(bundle_dir / "model.onnx")).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {}
    for name, value in inits.items():
        key = bert_key(name)
        if key:
            state[key] = value
    # The exporter folds each Linear's weight into a MatMul with an anonymous, transposed initializer; the node's
    # name still carries the module path (/encoder/layer.0/attention/self/query/MatMul).
    for node in graph.node:
        if node.op_type == "MatMul" and len(node.input) == 2 and node.input[1] in inits:
            key = bert_key(node.name.strip("/").rsplit("/", 1)[0].replace("/", ".") + ".weight")
            if key:
                state[key] = inits[node.input[1]].T
    words = state.get("embeddings.word_embeddings.weight")
    if words is None:
        raise FineTuneError(f"{bundle_dir}/model.onnx is not a BERT encoder this script can import: no "
                            f"embeddings.word_embeddings.weight among its initializers {sorted(inits)[:8]}...")
    layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("encoder.layer."))
    hidden = words.shape[1]
    config = BertConfig(vocab_size=words.shape[0], hidden_size=hidden, num_hidden_layers=layers,
                        intermediate_size=state["encoder.layer.0.intermediate.dense.weight"].shape[0],
                        max_position_embeddings=state["embeddings.position_embeddings.weight"].shape[0],
                        type_vocab_size=state["embeddings.token_type_embeddings.weight"].shape[0],
                        num_attention_heads=1)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(bundle_dir / "tokenizer.json"), unk_token="[UNK]",
                                        pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                                        mask_token="[MASK]")
    max_length = int(manifest["max_length"])
    if args.max_length:
        if not 3 <= args.max_length <= max_length:
            raise FineTuneError(f"--max-length must be in [3, {max_length}] for this bundle, got {args.max_length}")
        max_length = args.max_length
    texts = export_hf.read_parity_texts(export_hf.DEFAULT_PARITY_TEXTS_FILE)
    session = ort.InferenceSession(str(bundle_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    declared = [i.name for i in session.get_inputs()]
    encoded = [tokenizer(t, truncation=True, max_length=max_length) for t in texts]
    # A graph input the tokenizer does not give (token_type_ids) is all zeros, as the engine feeds it.
    feeds = [{n: [e[n] if n in e else [0] * len(e["input_ids"])] for n in declared} for e in encoded]
    expected = [session.run(None, {n: np.array(v, dtype=np.int64) for n, v in f.items()})[0][0, 0] for f in feeds]
    candidates = [args.num_heads] if args.num_heads else [h for h in (12, 16, 8, 6, 4, 24, 32, 2, 1)
                                                          if hidden % h == 0]
    tried = []
    for heads in candidates:
        config.num_attention_heads = heads
        model = BertModel(config, add_pooling_layer=False).eval()
        missing = set(model.state_dict()) - set(state)
        if missing:
            raise FineTuneError(f"{bundle_dir}/model.onnx lacks weights for {sorted(missing)[:6]}")
        model.load_state_dict({k: torch.from_numpy(np.array(v, copy=True)) for k, v in state.items()
                               if k in model.state_dict()})
        with torch.no_grad():
            diff = max(float(np.max(np.abs(
                model(**{n: torch.tensor(v) for n, v in f.items()}).last_hidden_state[0, 0].numpy() - x)))
                for f, x in zip(feeds, expected))
        tried.append((heads, diff))
        if diff <= args.import_tolerance:
            print(f"fine_tune.py: imported {bundle_dir}/model.onnx as a BertModel ({layers} layers, hidden {hidden}, "
                  f"{heads} heads); parity with ONNX Runtime on {len(texts)} texts: max abs diff of h_0 {diff:.3g}",
                  file=sys.stderr)
            model.config.hidden_dropout_prob = 0.1
            model.config.attention_probs_dropout_prob = 0.1
            for module in model.modules():
                if isinstance(module, torch.nn.Dropout):
                    module.p = 0.1
            return model, tokenizer, max_length, {"source": str(bundle_dir), "kind": "clstream bundle (ONNX import)",
                                                  "bundle": f"{manifest['name']}@{manifest['version']}",
                                                  "num_attention_heads": heads, "parity_texts": len(texts),
                                                  "h0_max_abs_diff_vs_onnxruntime": diff}
    raise FineTuneError(f"the imported model does not reproduce {bundle_dir}/model.onnx within "
                        f"{args.import_tolerance:g} (max abs diff of h_0 per head count tried: {tried})")


def bert_key(name):
    """A BertModel state-dict key from an ONNX initializer or module path, whatever wrapped the model
    (bert., model., ...); None when the name is no encoder weight."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part in ("embeddings", "encoder") and i + 1 < len(parts):
            return ".".join(parts[i:])
    return None


def classifier(encoder, labels, seed):
    """The encoder with clstream's head: logits = W h_0 + b on the final hidden state at position 0."""
    import torch

    class ClsClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            torch.manual_seed(seed)
            self.head = torch.nn.Linear(encoder.config.hidden_size, len(labels))
            torch.nn.init.normal_(self.head.weight, std=0.02)
            torch.nn.init.zeros_(self.head.bias)

        def forward(self, **inputs):
            return self.head(self.encoder(**inputs).last_hidden_state[:, 0])

    return ClsClassifier()


# ---------------------------------------------------------------------------------------------------- training

def batches(encoded, indices, batch_size, rnd=None):
    """Batches of indices; shuffled and then grouped by length (less padding) when rnd is given."""
    order = list(indices)
    if rnd is None:
        order.sort(key=lambda i: len(encoded[i]["input_ids"]))
        return [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    rnd.shuffle(order)
    pool = batch_size * 50
    out = []
    for k in range(0, len(order), pool):
        chunk = sorted(order[k:k + pool], key=lambda i: len(encoded[i]["input_ids"]))
        out += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
    rnd.shuffle(out)
    return out


def collate(encoded, batch, names, device):
    import torch
    width = max(len(encoded[i]["input_ids"]) for i in batch)
    feeds = {}
    for n in names:
        rows = [list(encoded[i][n]) + [0] * (width - len(encoded[i][n])) for i in batch]
        feeds[n] = torch.tensor(rows, dtype=torch.long, device=device)
    return feeds


def predict_logits(model, encoded, indices, names, device, batch_size):
    """The head's logits per index, in the order given."""
    import torch
    model.eval()
    logits = {}
    with torch.no_grad():
        for batch in batches(encoded, indices, batch_size * 2):
            logits.update(zip(batch, model(**collate(encoded, batch, names, device)).double().cpu().numpy()))
    return [logits[i] for i in indices]


def predict(model, encoded, indices, names, device, batch_size):
    """Class probabilities per index, in the order given."""
    return [export_hf.softmax(z) for z in predict_logits(model, encoded, indices, names, device, batch_size)]


def evaluation(labels, actual, probabilities):
    """Metrics in the JSON layout of the Java trainer's Evaluation (bundle.json evaluation.held_out)."""
    k = len(labels)
    confusion = [[0] * k for _ in range(k)]
    log_loss = 0.0
    for a, p in zip(actual, probabilities):
        confusion[a][int(max(range(k), key=lambda c: p[c]))] += 1
        log_loss -= math.log(max(float(p[a]), 1e-15))
    n = len(actual)
    per_class, f1s = {}, []
    for c, label in enumerate(labels):
        predicted = sum(row[c] for row in confusion)
        support = sum(confusion[c])
        precision = confusion[c][c] / predicted if predicted else 0.0
        recall = confusion[c][c] / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_class[label] = {"precision": round(precision, 6), "recall": round(recall, 6), "f1": round(f1, 6),
                            "support": support}
    return {"examples": n, "accuracy": round(sum(confusion[c][c] for c in range(k)) / n, 6) if n else 0.0,
            "macro_f1": round(sum(f1s) / k, 6), "log_loss": round(log_loss / n, 6) if n else 0.0,
            "per_class": per_class,
            "confusion_matrix": {"labels": labels, "rows_actual_columns_predicted": confusion}}


def train(model, encoded, y, labels, train_idx, val_idx, names, args, device, log):
    import torch
    rnd = random.Random(args.seed)
    head_params = list(model.head.parameters())
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    groups = [
        {"params": [p for n, p in model.encoder.named_parameters() if not n.endswith(no_decay)],
         "lr": args.lr, "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.encoder.named_parameters() if n.endswith(no_decay)],
         "lr": args.lr, "weight_decay": 0.0},
        {"params": head_params, "lr": args.head_lr, "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups)
    steps_per_epoch = math.ceil(len(train_idx) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = max(1, int(total * args.warmup))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    loss_fn = torch.nn.CrossEntropyLoss()
    best, best_state, since_best, history = math.inf, None, 0, []
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, seen, running = time.time(), 0, 0.0
        for batch in batches(encoded, train_idx, args.batch_size, rnd):
            logits = model(**collate(encoded, batch, names, device))
            loss = loss_fn(logits, torch.tensor([y[i] for i in batch], device=device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(batch)
            seen += len(batch)
        train_seconds = time.time() - start
        val = evaluation(labels, [y[i] for i in val_idx],
                         predict(model, encoded, val_idx, names, device, args.batch_size))
        row = {"epoch": epoch, "train_loss": round(running / seen, 6), "validation_loss": val["log_loss"],
               "validation_accuracy": val["accuracy"], "train_seconds": round(train_seconds, 2),
               "examples_per_second": round(seen / train_seconds, 2)}
        history.append(row)
        print("fine_tune.py: " + json.dumps(row), file=sys.stderr, flush=True)
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
        if val["log_loss"] < best:
            best, since_best = val["log_loss"], 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            since_best += 1
            if since_best >= args.patience:
                print(f"fine_tune.py: stopping early: no better validation loss for {since_best} epoch(s)",
                      file=sys.stderr)
                break
    model.load_state_dict(best_state)
    return history, min(history, key=lambda r: r["validation_loss"])["epoch"]


# ---------------------------------------------------------------------------------------------------- main

def fine_tune(args):
    import onnx  # noqa: F401  (before torch: see export_hf.export)
    import torch

    if args.out.exists() and any(args.out.iterdir()):
        raise FineTuneError(f"{args.out} exists and is not empty")
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    examples = read_examples(args)
    labels = args.labels.split(",") if args.labels else sorted({e[2] for e in examples})
    unknown = sorted({e[2] for e in examples} - set(labels))
    if unknown:
        raise FineTuneError(f"labels {unknown} of the data are not in --labels {labels}")

    if args.export_only:
        model, tokenizer, max_length, training = load_saved(args, labels)
    else:
        encoder, tokenizer, max_length, imported = load_source(args)
        model = classifier(encoder, labels, args.seed)
    encoded = [tokenizer(e[1], truncation=True, max_length=max_length) for e in examples]
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in encoded[0]]
    # What the stream would refuse (no tokens between the special ones) is left out, as train-head does.
    usable = [i for i, enc in enumerate(encoded) if len(enc["input_ids"]) > 2]
    y_all = [labels.index(e[2]) for e in examples]
    if args.held_out:
        ids = read_ids(args.held_out)
        test_idx = [i for i in usable if examples[i][0] in ids]
        if len(test_idx) != len(ids):
            raise FineTuneError(f"{len(ids)} ids in {args.held_out}, {len(test_idx)} of them in {args.data}")
        train_all = [i for i in usable if examples[i][0] not in ids]
        split = f"the ids of {args.held_out.name}"
    else:
        tr, te = stratified_split([y_all[i] for i in usable], args.test_fraction, args.seed)
        train_all, test_idx = [usable[i] for i in tr], [usable[i] for i in te]
        split = f"seeded stratified in Python (seed {args.seed}, test fraction {args.test_fraction})"
    tr, va = stratified_split([y_all[i] for i in train_all], args.validation_fraction, args.seed + 1)
    train_idx, val_idx = [train_all[i] for i in tr], [train_all[i] for i in va]
    if args.limit:
        train_idx = random.Random(args.seed).sample(train_idx, min(args.limit, len(train_idx)))
    print(f"fine_tune.py: {len(examples)} examples ({len(examples) - len(usable)} without tokens), split {split}: "
          f"{len(train_idx)} train, {len(val_idx)} validation, {len(test_idx)} held out; device {device}, "
          f"{torch.get_num_threads()} threads, max length {max_length}", file=sys.stderr, flush=True)

    model = model.to(device)
    started = time.time()
    fingerprint = split_fingerprint(examples, val_idx, test_idx)
    if not args.export_only:
        history, best_epoch = train(model, encoded, y_all, labels, train_idx, val_idx, names, args, device, args.log)
        held_out = evaluation(labels, [y_all[i] for i in test_idx],
                              predict(model, encoded, test_idx, names, device, args.batch_size))
        print(f"fine_tune.py: held-out evaluation (PyTorch, epoch {best_epoch}): {summary(held_out)}",
              file=sys.stderr)
        training = {
            "import": imported,
            "trainer": {"method": f"fine-tuning of the encoder and a linear head on h_0 ({FINE_TUNE_VERSION}): "
                                  "AdamW, linear warm-up and decay, early stopping on validation loss",
                        "split": split,
                        "validation_fraction": args.validation_fraction, "epochs": args.epochs,
                        "patience": args.patience, "batch_size": args.batch_size, "lr": args.lr,
                        "head_lr": args.head_lr, "weight_decay": args.weight_decay, "warmup": args.warmup,
                        "max_length": max_length, "device": device},
            "train_examples": len(train_idx), "validation_examples": len(val_idx), "test_examples": len(test_idx),
            "epochs": history, "best_epoch": best_epoch, "held_out_pytorch": held_out,
            "train_seconds": round(time.time() - started, 1), "command": args.command,
            "split_ids_sha256": fingerprint}
        if args.save_model:
            save_model(args.save_model, model, tokenizer, labels, max_length, training)
    elif (training.get("split_ids_sha256", fingerprint) != fingerprint
          or training["test_examples"] != len(test_idx) or training["validation_examples"] != len(val_idx)):
        # Another split would calibrate and judge on examples the model was trained on.
        raise FineTuneError(f"the split arguments give other validation and held-out examples ({len(val_idx)} and "
                            f"{len(test_idx)}) than {args.source} was trained with ({training['validation_examples']} "
                            f"and {training['test_examples']}): give the data and split arguments it was trained with")

    model = model.cpu().eval()
    calibration = None if args.no_calibration else calibrate(
        model, tokenizer, [examples[i] for i in val_idx], [y_all[i] for i in val_idx], max_length, names,
        args.batch_size)
    evaluation_json = {k: v for k, v in training.items()
                       if k not in ("import", "train_seconds", "command", "split_ids_sha256")}
    if calibration:
        evaluation_json["calibration"] = calibration
    report = {"import": training["import"], "epochs": training["epochs"], "best_epoch": training["best_epoch"],
              "held_out_pytorch": training["held_out_pytorch"], "calibration": calibration}
    report["bundle"] = export_bundle(args, model, tokenizer, max_length, labels, training)
    held_out = bundle_evaluation(args.out, [encoded[i] for i in test_idx], [y_all[i] for i in test_idx], labels)
    print(f"fine_tune.py: held-out evaluation of the exported bundle (ONNX Runtime, one text per run): "
          f"{summary(held_out)}", file=sys.stderr)
    evaluation_json["held_out"] = held_out
    write_manifest_evaluation(args, evaluation_json)
    report["held_out"] = held_out
    return report


def split_fingerprint(examples, val_idx, test_idx):
    """sha256 of the validation and held-out ids: what --export-only compares to refuse another split."""
    ids = ",".join(sorted(examples[i][0] for i in val_idx)) + "|" + ",".join(sorted(examples[i][0] for i in test_idx))
    return hashlib.sha256(ids.encode("utf-8")).hexdigest()


def summary(held_out):
    return (f"accuracy {held_out['accuracy']}, "
            + ", ".join(f"{l} F1 {v['f1']}" for l, v in held_out["per_class"].items())
            + f"; confusion {held_out['confusion_matrix']['rows_actual_columns_predicted']}")


def save_model(directory, model, tokenizer, labels, max_length, training):
    """The fine-tuned encoder (Hugging Face directory) and its head, uncalibrated, with how it was trained in
    head.json: what --export-only exports again."""
    directory.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))
    (directory / "head.json").write_text(json.dumps(
        {"labels": labels, "weights": model.head.weight.detach().double().tolist(),
         "bias": model.head.bias.detach().double().tolist(), "max_length": max_length,
         "training": training}) + "\n", encoding="utf-8")


def load_saved(args, labels):
    """(model, tokenizer, max_length, training record) from a --save-model directory."""
    import torch
    source = Path(args.source)
    if not (source / "head.json").is_file():
        raise FineTuneError(f"--export-only: {source} has no head.json (a directory written by --save-model)")
    head = json.loads((source / "head.json").read_text(encoding="utf-8"))
    if head["labels"] != labels:
        raise FineTuneError(f"--export-only: {source} was trained with labels {head['labels']}, not {labels}")
    if "training" not in head or "max_length" not in head:
        raise FineTuneError(f"--export-only: {source}/head.json has no training record or max_length")
    tokenizer = export_hf.load_tokenizer(str(source))
    encoder, _ = export_hf.load_model(str(source), want_head=False)
    model = classifier(encoder, labels, args.seed)
    with torch.no_grad():
        model.head.weight.copy_(torch.tensor(head["weights"], dtype=model.head.weight.dtype))
        model.head.bias.copy_(torch.tensor(head["bias"], dtype=model.head.bias.dtype))
    return model, tokenizer, int(head["max_length"]), head["training"]


# ---------------------------------------------------------------------------------------------------- calibration

SHORT_CHARS = 200  # as TextView.SHORT_CHARS


def views_of(example):
    """The texts a stream may carry for one message: the full text and, for the spamassassin format, the short
    (subject and the first 200 characters of the body) and subject views, as clstream-export evaluate --views makes
    them (counted here in code points, there in UTF-16 units: they differ only beyond the BMP)."""
    texts = [example[1]]
    if example[3] is not None:
        subject, body = example[3]
        head = body[:SHORT_CHARS]
        short = subject if not head else head if not subject else subject + "\n\n" + head
        texts += [t for t in (short, subject) if t.strip() and t not in texts]
    return texts


def calibrate(model, tokenizer, examples, actual, max_length, names, batch_size):
    """Fits the temperature on the validation messages' views and folds it into the head; returns the record."""
    import torch
    texts, y = [], []
    for example, label in zip(examples, actual):
        for text in views_of(example):
            texts.append(text)
            y.append(label)
    encoded = [tokenizer(t, truncation=True, max_length=max_length) for t in texts]
    keep = [i for i, e in enumerate(encoded) if len(e["input_ids"]) > 2]
    logits = predict_logits(model, encoded, keep, names, "cpu", batch_size)
    y = [y[i] for i in keep]
    temperature, before, after = fit_temperature(logits, y)
    with torch.no_grad():
        model.head.weight.div_(temperature)
        model.head.bias.div_(temperature)
    record = {"method": "temperature scaling: one T minimising the validation log loss of softmax(z / T), folded "
                        "into the head as W / T and b / T",
              "texts": "the validation messages' " + ("views full, short and subject" if examples[0][3] is not None
                                                     else "texts"),
              "examples": len(y), "temperature": round(temperature, 6),
              "log_loss_before": round(before, 6), "log_loss_after": round(after, 6),
              "ece_before": round(expected_calibration_error(logits, y, 1.0), 6),
              "ece_after": round(expected_calibration_error(logits, y, temperature), 6)}
    print("fine_tune.py: calibration " + json.dumps(record), file=sys.stderr)
    return record


def fit_temperature(logits, actual):
    """(T, log loss at T = 1, log loss at T): the log loss of softmax(z / T) is convex in 1 / T, so a
    golden-section search over log T finds its minimum."""
    import numpy as np
    z, y = np.array(logits, dtype=np.float64), np.array(actual)

    def loss(log_t):
        s = z / math.exp(log_t)
        s = s - s.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(s).sum(axis=1)) - s[np.arange(len(y)), y]))

    lo, hi = math.log(0.02), math.log(50.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > 1e-6:
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = loss(b)
    best = (lo + hi) / 2
    return math.exp(best), loss(0.0), loss(best)


def expected_calibration_error(logits, actual, temperature, bins=15):
    """As the Java Calibration: equal-width bins of the top probability, each weighted by its share."""
    confidence, correct, count = [0.0] * bins, [0] * bins, [0] * bins
    for z, a in zip(logits, actual):
        p = export_hf.softmax(z / temperature)
        predicted = int(max(range(len(p)), key=lambda c: p[c]))
        b = min(bins - 1, int(p[predicted] * bins))
        confidence[b] += float(p[predicted])
        correct[b] += predicted == a
        count[b] += 1
    return sum(abs(confidence[b] - correct[b]) for b in range(bins) if count[b]) / len(actual)


def record_split(trainer, args):
    """The split as clstream-export evaluate rebuilds it (Java's seeded stratified split from seed and test_fraction):
    only when the held-out part is the ids of --held-out, which train-head wrote from that very split. Python's own
    split is another one, so then nothing is recorded and evaluate refuses the bundle instead of judging it on
    examples it was trained on."""
    if args.held_out:
        trainer["seed"] = args.seed
        trainer["test_fraction"] = args.test_fraction


def export_bundle(args, model, tokenizer, max_length, labels, training):
    """export_hf.py's path for the encoder (ONNX, PyTorch parity, optional int8); the head into bundle.json."""
    import numpy as np
    imported = training["import"]
    with tempfile.TemporaryDirectory() as tmp:
        hf_dir = Path(tmp) / "encoder"
        model.encoder.save_pretrained(str(hf_dir))
        tokenizer.save_pretrained(str(hf_dir))
        name = args.name or args.out.name
        exported = export_hf.export(argparse.Namespace(
            model=str(hf_dir), out=args.out, name=name, version=args.version, description=args.description,
            max_length=max_length, no_head=True, quantize=args.quantize, fp16=False, opset=export_hf.DEFAULT_OPSET,
            parity_texts=None, tolerance=export_hf.FP32_TOLERANCE, allow_download=False))
    weights = model.head.weight.detach().double().numpy()
    bias = model.head.bias.detach().double().numpy()
    parity_path = args.out / "parity.json"
    parity = json.loads(parity_path.read_text(encoding="utf-8"))
    for entry in parity["texts"]:
        # PyTorch's fp32 h_0 (the reference export_hf.py recorded) through the head, as the engine computes it.
        entry["probabilities"] = [float(v) for v in export_hf.softmax(weights @ np.array(entry["cls_embedding"]) + bias)]
    if parity["variant"] == "fp32":
        parity["tolerance"]["probabilities"] = parity["tolerance"]["cls_embedding"]
    else:
        # An approximation (int8) is far from PyTorch's fp32 (the differences stay in export_check), so its own
        # outputs here become the reference, as train-head --parity-variant int8 does: verify-bundle then catches a
        # changed graph or head, not only a broken one.
        measured = bundle_outputs(args.out, [e["input_ids"] for e in parity["texts"]], weights, bias)
        parity["export_check"]["probabilities_max_abs_diff"] = max(
            float(np.max(np.abs(p - np.array(e["probabilities"])))) for (_, p), e in zip(measured, parity["texts"]))
        for (h0, p), entry in zip(measured, parity["texts"]):
            entry["cls_embedding"] = [float(v) for v in h0]
            entry["probabilities"] = [float(v) for v in p]
        parity["reference"] = (f"this {parity['variant']} model.onnx in ONNX Runtime "
                               f"{export_hf.module_version('onnxruntime')} (Python, CPU), each text run alone; "
                               f"export_check: its differences from {parity['reference']}")
        parity["tolerance"] = dict(APPROXIMATE_SELF_TOLERANCE)
    parity_path.write_text(json.dumps(parity, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    manifest_path = args.out / "bundle.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["description"] = args.description or f"{imported['source']} fine-tuned on {args.data.name}"
    manifest["labels"] = labels
    manifest["logits"] = {"source": "linear_head", "weights": [[float(v) for v in row] for row in weights],
                          "bias": [float(v) for v in bias]}
    manifest["files"] = {f: export_hf.sha256(args.out / f) for f in ("model.onnx", "tokenizer.json", "parity.json")}
    manifest["provenance"].update({
        "source": str(args.source),  # export_hf.py saw only a temporary copy
        "fine_tuned_from": args.encoder_source or imported.get("bundle") or imported["source"],
        "import": imported,
        "training_data": args.data.name,
        "training_data_sha256": export_hf.sha256(args.data),
        "training_data_format": args.format,
        "fine_tuner": "model-export/fine_tune.py",
        "created": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
    })
    # The command that reproduces it (run in model-export/): the training run's, then the export's when apart.
    manifest["provenance"]["command"] = training.get("command")
    if args.export_only:
        manifest["provenance"]["exported_from_saved_model"] = str(args.source)
        manifest["provenance"]["export_command"] = args.command
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {"dir": str(args.out), "name": manifest["name"], "variant": exported["variant"],
            "parity": exported["parity"]}


def bundle_evaluation(bundle_dir, encoded, actual, labels):
    """The exported bundle judged as the stream runs it (for an int8 export, the int8 encoder's own figures)."""
    import numpy as np
    manifest = json.loads((bundle_dir / "bundle.json").read_text(encoding="utf-8"))
    weights, bias = np.array(manifest["logits"]["weights"]), np.array(manifest["logits"]["bias"])
    outputs = bundle_outputs(bundle_dir, [e["input_ids"] for e in encoded], weights, bias)
    return evaluation(labels, actual, [p for _, p in outputs])


def bundle_outputs(bundle_dir, id_lists, weights, bias):
    """(h_0, softmax(W h_0 + b)) from ONNX Runtime, one text per run and token types 0, as the engine feeds it."""
    import numpy as np
    import onnxruntime as ort
    session = ort.InferenceSession(str(bundle_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    declared = [i.name for i in session.get_inputs()]
    out = []
    for ids in id_lists:
        values = {"input_ids": ids, "attention_mask": [1] * len(ids), "token_type_ids": [0] * len(ids)}
        h0 = session.run(None, {n: np.array([values[n]], dtype=np.int64) for n in declared})[0][0, 0]
        h0 = h0.astype(np.float64)
        out.append((h0, export_hf.softmax(weights @ h0 + bias)))
    return out


def write_manifest_evaluation(args, evaluation_json):
    record_split(evaluation_json["trainer"], args)
    manifest_path = args.out / "bundle.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["evaluation"] = evaluation_json
    order = ["format_version", "name", "version", "description", "max_length", "labels", "logits", "files",
             "provenance", "evaluation"]
    manifest = {k: manifest[k] for k in order if k in manifest}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
