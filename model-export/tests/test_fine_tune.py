"""Tests of fine_tune.py on a tiny BERT built in the test (no network).

    bash model-export/tests/run.sh

Skips cleanly where torch, transformers, onnx or onnxruntime is not installed, like test_export_hf.py.
"""
import gzip
import importlib.util
import json
import random
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL_EXPORT = HERE.parent
sys.path.insert(0, str(MODEL_EXPORT))
sys.path.insert(0, str(HERE))

MISSING = [m for m in ("numpy", "torch", "transformers", "tokenizers", "onnx", "onnxruntime")
           if importlib.util.find_spec(m) is None]
if not MISSING:
    import onnx  # noqa: F401  before torch, as export_hf.export does (see there)

SPAM_WORDS = "won free prize claim reply now click here urgent verify account great deal limited time only".split()
HAM_WORDS = "meeting moved pm tomorrow agenda attached hi anna we sat river watched boats the bank".split()


def labeled_texts(n, seed=3):
    """Texts whose label is decided by which words they use: easy for any encoder that is trained."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        label = "spam" if i % 2 else "ham"
        words = rnd.choices(SPAM_WORDS if label == "spam" else HAM_WORDS, k=rnd.randint(3, 9))
        out.append({"id": f"t{i}", "text": " ".join(words), "label": label})
    return out


@unittest.skipIf(MISSING, f"not installed: {', '.join(MISSING)}")
class FineTuneTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        import tiny_models
        cls.tmp = Path(tempfile.mkdtemp(prefix="fine-tune-test-"))
        cls.encoder = tiny_models.save_bert(cls.tmp / "hf-encoder", with_head=False, trained_like=True)
        cls.data = cls.tmp / "labeled.jsonl"
        cls.data.write_text("".join(json.dumps(e) + "\n" for e in labeled_texts(120)), encoding="utf-8")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fine_tune(self, source, name, *extra):
        import fine_tune
        out = self.tmp / name
        shutil.rmtree(out, ignore_errors=True)
        log = self.tmp / (name + ".epochs.jsonl")
        code = fine_tune.main([str(source), str(out), "--data", str(self.data), "--epochs", "3", "--patience", "3",
                               "--batch-size", "8", "--lr", "1e-3", "--head-lr", "1e-2", "--log", str(log), *extra])
        return code, out, log

    def head_probabilities(self, bundle, ids, mask):
        """The bundle as the engine runs it: ONNX Runtime's h_0, then softmax(W h_0 + b) from bundle.json."""
        import numpy as np
        import onnxruntime as ort
        import export_hf
        manifest = json.loads((bundle / "bundle.json").read_text())
        session = ort.InferenceSession(str(bundle / "model.onnx"), providers=["CPUExecutionProvider"])
        feeds = {"input_ids": np.array([ids]), "attention_mask": np.array([mask])}
        if "token_type_ids" in {i.name for i in session.get_inputs()}:
            feeds["token_type_ids"] = np.zeros((1, len(ids)), dtype=np.int64)
        h0 = session.run(None, feeds)[0][0, 0].astype(np.float64)
        w = np.array(manifest["logits"]["weights"])
        b = np.array(manifest["logits"]["bias"])
        return export_hf.softmax(w @ h0 + b)

    def test_fine_tunes_a_hugging_face_encoder_and_exports_a_bundle_with_its_head(self):
        code, out, log = self.fine_tune(self.encoder, "tiny-fine-tuned")
        self.assertEqual(0, code)
        manifest = json.loads((out / "bundle.json").read_text())
        self.assertEqual(["ham", "spam"], manifest["labels"])
        self.assertEqual("linear_head", manifest["logits"]["source"])
        self.assertEqual(2, len(manifest["logits"]["weights"]))
        self.assertEqual(32, len(manifest["logits"]["weights"][0]), "the head reads h_0 (hidden size 32)")
        evaluation = manifest["evaluation"]
        self.assertEqual(24, evaluation["test_examples"], "20% of 120, stratified")
        self.assertNotIn("seed", evaluation["trainer"], "Python's split is not the one evaluate would rebuild")
        self.assertGreaterEqual(evaluation["held_out"]["accuracy"], 0.9, evaluation["held_out"])
        self.assertEqual({"ham", "spam"}, set(evaluation["held_out"]["per_class"]))
        epochs = [json.loads(line) for line in log.read_text().splitlines()]
        self.assertEqual([1, 2, 3], [e["epoch"] for e in epochs])
        self.assertEqual(epochs, evaluation["epochs"])
        self.assertTrue(all(e["examples_per_second"] > 0 and "validation_loss" in e for e in epochs))
        self.assertLess(epochs[-1]["train_loss"], epochs[0]["train_loss"], "training lowers the loss")
        # Every parity text carries the head's probabilities; the exported graph and head reproduce them.
        parity = json.loads((out / "parity.json").read_text())
        self.assertEqual(parity["tolerance"]["cls_embedding"], parity["tolerance"]["probabilities"])
        for entry in parity["texts"]:
            self.assertAlmostEqual(1.0, sum(entry["probabilities"]), places=9)
            got = self.head_probabilities(out, entry["input_ids"], [1] * len(entry["input_ids"]))
            self.assertLessEqual(max(abs(g - e) for g, e in zip(got, entry["probabilities"])), 1e-4)
        files = manifest["files"]
        import export_hf
        for f in ("model.onnx", "tokenizer.json", "parity.json"):
            self.assertEqual(export_hf.sha256(out / f), files[f], f)

    def test_a_held_out_file_fixes_the_test_part(self):
        held = self.tmp / "held-out.jsonl.gz"
        ids = [f"t{i}" for i in range(0, 30)]
        with gzip.open(held, "wt", encoding="utf-8") as f:
            f.writelines(json.dumps({"id": i}) + "\n" for i in ids)
        code, out, _ = self.fine_tune(self.encoder, "tiny-held-out", "--held-out", str(held), "--epochs", "1")
        self.assertEqual(0, code)
        evaluation = json.loads((out / "bundle.json").read_text())["evaluation"]
        self.assertEqual(30, evaluation["test_examples"])
        self.assertEqual((42, 0.2), (evaluation["trainer"]["seed"], evaluation["trainer"]["test_fraction"]),
                         "the split of the held-out file, for evaluate to rebuild")
        self.assertEqual(90, evaluation["train_examples"] + evaluation["validation_examples"])

    def test_imports_a_bundles_onnx_encoder_checked_against_onnx_runtime_then_fine_tunes_it(self):
        import export_hf
        bundle = self.tmp / "tiny-encoder-bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        self.assertEqual(0, export_hf.main([str(self.encoder), str(bundle), "--name", "tiny-encoder"]))
        code, out, _ = self.fine_tune(bundle, "tiny-from-bundle", "--epochs", "1")
        self.assertEqual(0, code)
        provenance = json.loads((out / "bundle.json").read_text())["provenance"]
        self.assertEqual(4, provenance["import"]["num_attention_heads"], "found by the parity check")
        self.assertLessEqual(provenance["import"]["h0_max_abs_diff_vs_onnxruntime"], 1e-4)
        self.assertEqual("tiny-encoder@1.0.0", provenance["fine_tuned_from"])

    def test_an_import_that_does_not_reproduce_the_graph_is_refused(self):
        import export_hf
        bundle = self.tmp / "tiny-encoder-bundle-2"
        shutil.rmtree(bundle, ignore_errors=True)
        self.assertEqual(0, export_hf.main([str(self.encoder), str(bundle), "--name", "tiny-encoder"]))
        code, out, _ = self.fine_tune(bundle, "tiny-wrong-heads", "--num-heads", "2")
        self.assertEqual(2, code)
        self.assertFalse(out.exists() and any(out.iterdir()), "nothing is written")

    def test_labels_of_the_data_missing_from_the_given_order_are_refused(self):
        code, out, _ = self.fine_tune(self.encoder, "tiny-bad-labels", "--labels", "ham,phishing")
        self.assertEqual(2, code)


if __name__ == "__main__":
    unittest.main()
