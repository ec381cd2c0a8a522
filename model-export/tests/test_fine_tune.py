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

    def test_the_temperature_fitted_on_validation_is_folded_into_the_head(self):
        saved = self.tmp / "tiny-saved"
        shutil.rmtree(saved, ignore_errors=True)
        code, out, _ = self.fine_tune(self.encoder, "tiny-calibrated", "--save-model", str(saved))
        self.assertEqual(0, code)
        manifest = json.loads((out / "bundle.json").read_text())
        calibration = manifest["evaluation"]["calibration"]
        t = calibration["temperature"]
        self.assertGreater(t, 0)
        self.assertLessEqual(calibration["log_loss_after"], calibration["log_loss_before"])
        self.assertEqual(10, calibration["examples"], "the validation part (10% of 96), each text once")
        # The saved head is the trained one; the bundle's is the same divided by T, so no label changes.
        head = json.loads((saved / "head.json").read_text())
        for saved_row, row in zip(head["weights"], manifest["logits"]["weights"]):
            for w, v in zip(saved_row, row):
                self.assertAlmostEqual(w / t, v, delta=1e-6 * max(1.0, abs(w / t)))
        self.assertEqual(manifest["evaluation"]["epochs"], head["training"]["epochs"])

    def test_a_saved_model_is_exported_again_as_int8_without_training(self):
        saved = self.tmp / "tiny-saved-2"
        shutil.rmtree(saved, ignore_errors=True)
        code, fp32, log = self.fine_tune(self.encoder, "tiny-fp32", "--save-model", str(saved), "--epochs", "2",
                                         "--patience", "2")
        self.assertEqual(0, code)
        code, int8, log = self.fine_tune(saved, "tiny-int8", "--export-only", "--quantize", "int8")
        self.assertEqual(0, code)
        self.assertFalse(log.exists(), "nothing was trained")
        a = json.loads((fp32 / "bundle.json").read_text())
        b = json.loads((int8 / "bundle.json").read_text())
        self.assertEqual("int8", b["provenance"]["variant"])
        self.assertEqual(str(saved), b["provenance"]["exported_from_saved_model"])
        self.assertEqual(a["evaluation"]["epochs"], b["evaluation"]["epochs"])
        self.assertEqual(a["evaluation"]["calibration"], b["evaluation"]["calibration"])
        self.assertEqual(24, b["evaluation"]["held_out"]["examples"])
        self.assertLess((int8 / "model.onnx").stat().st_size, (fp32 / "model.onnx").stat().st_size)
        self.assertIn("--save-model", b["provenance"]["command"], "the training run's command")
        self.assertIn("--export-only", b["provenance"]["export_command"])
        # parity.json holds the int8 model's own outputs, to a tolerance that catches a changed head, and keeps
        # its distance from PyTorch's fp32 in export_check.
        parity = json.loads((int8 / "parity.json").read_text())
        self.assertEqual({"cls_embedding": 0.5, "probabilities": 5e-2}, parity["tolerance"])
        self.assertIsNotNone(parity["export_check"]["probabilities_max_abs_diff"])
        for entry in parity["texts"]:
            got = self.head_probabilities(int8, entry["input_ids"], [1] * len(entry["input_ids"]))
            self.assertLessEqual(max(abs(g - e) for g, e in zip(got, entry["probabilities"])), 1e-6)
        # The recorded held-out figures are the int8 bundle's own, as the engine computes them.
        import fine_tune
        from transformers import PreTrainedTokenizerFast
        tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(int8 / "tokenizer.json"))
        examples = labeled_texts(120)
        labels = ["ham", "spam"]
        _, test = fine_tune.stratified_split([labels.index(e["label"]) for e in examples], 0.2, 42)
        probabilities = []
        for i in test:
            ids = tokenizer(examples[i]["text"], truncation=True, max_length=b["max_length"])["input_ids"]
            probabilities.append(self.head_probabilities(int8, ids, [1] * len(ids)))
        recomputed = fine_tune.evaluation(labels, [labels.index(examples[i]["label"]) for i in test], probabilities)
        self.assertEqual(recomputed["confusion_matrix"], b["evaluation"]["held_out"]["confusion_matrix"])
        self.assertAlmostEqual(recomputed["log_loss"], b["evaluation"]["held_out"]["log_loss"], places=5)
        code, _, _ = self.fine_tune(saved, "tiny-int8-wrong-split", "--export-only", "--test-fraction", "0.3")
        self.assertEqual(2, code, "a split other than the one it was trained with is refused")
        code, _, _ = self.fine_tune(saved, "tiny-int8-other-seed", "--export-only", "--seed", "7")
        self.assertEqual(2, code, "as is one of the same sizes from another seed")

    def test_fit_temperature_finds_the_temperature_that_made_the_labels(self):
        import numpy as np
        import fine_tune
        rnd = np.random.default_rng(7)
        logits = rnd.normal(0, 4, size=(20000, 3))
        p = np.exp(logits / 2.5)
        p /= p.sum(axis=1, keepdims=True)
        actual = [int(rnd.choice(3, p=row)) for row in p]
        t, before, after = fine_tune.fit_temperature(logits, actual)
        self.assertAlmostEqual(2.5, t, delta=0.1)
        self.assertLess(after, before)
        self.assertLess(fine_tune.expected_calibration_error(logits, actual, t),
                        fine_tune.expected_calibration_error(logits, actual, 1.0))

    def test_labels_of_the_data_missing_from_the_given_order_are_refused(self):
        code, out, _ = self.fine_tune(self.encoder, "tiny-bad-labels", "--labels", "ham,phishing")
        self.assertEqual(2, code)


if __name__ == "__main__":
    unittest.main()
