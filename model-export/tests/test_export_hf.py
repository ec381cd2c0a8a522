"""Tests of export_hf.py on tiny models built from configs inside the test (no network).

    python3 -m unittest discover -s model-export/tests -v

Skips cleanly where torch, transformers, onnx or onnxruntime is not installed. Where a built
clstream (stream-app/target/clstream-stream-app.jar) and java are present, each exported bundle is
also verified by the Java engine (clstream verify-bundle).
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL_EXPORT = HERE.parent
REPO = MODEL_EXPORT.parent
sys.path.insert(0, str(MODEL_EXPORT))
sys.path.insert(0, str(HERE))

MISSING = [m for m in ("numpy", "torch", "transformers", "tokenizers", "onnx", "onnxruntime")
           if importlib.util.find_spec(m) is None]
if not MISSING:
    import onnx  # noqa: F401  before torch, as export_hf.export does (see there)

LAUNCHER = REPO / "stream-app" / "bin" / "clstream"
JAR = REPO / "stream-app" / "target" / "clstream-stream-app.jar"
JAVA = shutil.which("java") is not None and JAR.is_file()


@unittest.skipIf(MISSING, f"not installed: {', '.join(MISSING)}")
class ExportHfTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        import tiny_models
        cls.tmp = Path(tempfile.mkdtemp(prefix="export-hf-test-"))
        cls.classifier = tiny_models.save_bert(cls.tmp / "hf-classifier", with_head=True)
        cls.encoder = tiny_models.save_bert(cls.tmp / "hf-encoder", with_head=False)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def export(self, source, name, *extra):
        import export_hf
        out = self.tmp / name
        shutil.rmtree(out, ignore_errors=True)
        self.assertEqual(0, export_hf.main([str(source), str(out), "--name", name, *extra]))
        return out

    def classifier_fp32(self):
        """The fp32 classifier bundle, exported once for the tests that read it."""
        cls = type(self)
        if getattr(cls, "_classifier_fp32", None) is None:
            cls._classifier_fp32 = self.export(self.classifier, "tiny-classifier")
        return cls._classifier_fp32

    def test_classifier_fp32_bundle_has_graph_logits_labels_and_parity(self):
        out = self.classifier_fp32()
        manifest = json.loads((out / "bundle.json").read_text())
        self.assertEqual(["negative", "neutral", "positive"], manifest["labels"])
        self.assertEqual({"source": "graph", "output": "logits"}, manifest["logits"])
        self.assertEqual(64, manifest["max_length"])
        self.assertEqual({"model.onnx", "tokenizer.json", "parity.json"}, set(manifest["files"]))
        parity = json.loads((out / "parity.json").read_text())
        self.assertEqual("fp32", parity["variant"])
        self.assertLessEqual(parity["export_check"]["cls_embedding_max_abs_diff"], 1e-4)
        self.assertLessEqual(parity["export_check"]["probabilities_max_abs_diff"], 1e-4)
        for entry in parity["texts"]:
            self.assertEqual(32, len(entry["cls_embedding"]))
            self.assertAlmostEqual(1.0, sum(entry["probabilities"]), places=6)
        self.assertTrue(any(e["truncated"] for e in parity["texts"]), "the long parity text must be truncated")
        self.assertTrue(all(len(e["input_ids"]) <= 64 for e in parity["texts"]))
        self.assert_graph(out, outputs=["last_hidden_state", "logits"], inputs=["input_ids", "attention_mask",
                                                                                  "token_type_ids"])
        self.verify_with_java(out)

    def test_parity_ids_are_the_python_tokenizers(self):
        from transformers import AutoTokenizer
        out = self.classifier_fp32()
        tokenizer = AutoTokenizer.from_pretrained(str(self.classifier))
        for entry in json.loads((out / "parity.json").read_text())["texts"]:
            self.assertEqual(tokenizer(entry["text"], truncation=True, max_length=64)["input_ids"], entry["input_ids"])

    def test_encoder_without_head_has_no_labels(self):
        out = self.export(self.encoder, "tiny-encoder")
        manifest = json.loads((out / "bundle.json").read_text())
        self.assertNotIn("labels", manifest)
        self.assertNotIn("logits", manifest)
        parity = json.loads((out / "parity.json").read_text())
        self.assertTrue(all("probabilities" not in e for e in parity["texts"]))
        self.assert_graph(out, outputs=["last_hidden_state"], inputs=["input_ids", "attention_mask", "token_type_ids"])
        self.verify_with_java(out)

    def test_int8_is_quantised_and_its_difference_recorded(self):
        import onnx
        out = self.export(self.classifier, "tiny-classifier-int8", "--quantize", "int8")
        ops = {n.op_type for n in onnx.load(str(out / "model.onnx")).graph.node}
        self.assertTrue(ops & {"DynamicQuantizeLinear", "MatMulInteger", "DynamicQuantizeMatMul"}, ops)
        parity = json.loads((out / "parity.json").read_text())
        self.assertEqual("int8", parity["variant"])
        measured = parity["export_check"]["cls_embedding_max_abs_diff"]
        self.assertGreater(measured, 0.0)
        self.assertGreaterEqual(parity["tolerance"]["cls_embedding"], measured)
        self.verify_with_java(out)

    def test_fp16_keeps_float32_interface(self):
        import onnx
        try:
            out = self.export(self.classifier, "tiny-classifier-fp16", "--fp16")
        except SystemExit as e:  # onnxruntime without its transformers tools
            self.skipTest(f"--fp16 not available here: exit {e.code}")
        graph = onnx.load(str(out / "model.onnx")).graph
        self.assertTrue(any(i.data_type == onnx.TensorProto.FLOAT16 for i in graph.initializer))
        self.assertEqual({onnx.TensorProto.FLOAT}, {o.type.tensor_type.elem_type for o in graph.output})
        self.assertEqual("fp16", json.loads((out / "parity.json").read_text())["variant"])

    def test_export_fails_when_onnx_runtime_disagrees_with_pytorch(self):
        import export_hf
        original = export_hf.run_onnx

        def skewed(*args):
            return [(h0 + 1e-3, probs) for h0, probs in original(*args)]

        export_hf.run_onnx = skewed
        out = self.tmp / "tiny-skewed"
        try:
            with self.assertRaises(SystemExit) as failed:
                export_hf.main([str(self.classifier), str(out)])
            self.assertEqual(2, failed.exception.code)
        finally:
            export_hf.run_onnx = original
        self.assertFalse(out.exists(), "a failed export must not leave a bundle behind")

    def test_every_named_architecture_exports_within_fp32_tolerance(self):
        import tiny_models
        for model_type in tiny_models.ARCHITECTURES:
            with self.subTest(model_type):
                source = tiny_models.save_architecture(self.tmp / f"hf-{model_type}", model_type)
                out = self.export(source, f"tiny-{model_type}")
                parity = json.loads((out / "parity.json").read_text())
                self.assertLessEqual(parity["export_check"]["cls_embedding_max_abs_diff"], 1e-4)
                self.assertLessEqual(parity["export_check"]["probabilities_max_abs_diff"], 1e-4)
                manifest = json.loads((out / "bundle.json").read_text())
                self.assertEqual(["no", "yes"], manifest["labels"])
                # A DeBERTa-v2 with type_vocab_size 0 ignores token_type_ids, and the exported graph drops them.
                no_types = model_type in tiny_models.WITHOUT_TOKEN_TYPES or model_type == "deberta-v2"
                expected_inputs = ["input_ids", "attention_mask"] if no_types \
                    else ["input_ids", "attention_mask", "token_type_ids"]
                self.assert_graph(out, outputs=["last_hidden_state", "logits"], inputs=expected_inputs)
                self.verify_with_java(out)

    def test_opset_below_17_is_refused(self):
        import export_hf
        with self.assertRaises(SystemExit):
            export_hf.main([str(self.classifier), str(self.tmp / "old-opset"), "--opset", "13"])

    def assert_graph(self, out, outputs, inputs):
        import onnx
        model = onnx.load(str(out / "model.onnx"))
        self.assertGreaterEqual(max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 17)
        self.assertEqual(outputs, [o.name for o in model.graph.output])
        self.assertEqual(inputs, [i.name for i in model.graph.input])
        for i in model.graph.input:
            dims = [d.dim_param for d in i.type.tensor_type.shape.dim]
            self.assertEqual(["batch", "sequence"], dims, f"{i.name} must have dynamic batch and sequence axes")

    def verify_with_java(self, out):
        if not JAVA:
            return
        result = subprocess.run([str(LAUNCHER), "verify-bundle", str(out)], capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
