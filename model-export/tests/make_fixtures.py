"""Regenerates the committed test fixtures: tiny exported bundles with their PyTorch parity.json.

    python3 model-export/tests/make_fixtures.py [OUT_DIR]

OUT_DIR defaults to model-export/src/test/resources/hf-export. The Java tests
(HfExportFixturesTest) verify these bundles with the Java engine on every build. Needs torch,
transformers, tokenizers, onnx and onnxruntime; see model-export/README.md.
"""
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import onnx  # noqa: E402,F401  before torch (see export_hf.export)
import export_hf  # noqa: E402
import tiny_models  # noqa: E402


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "src" / "test" / "resources" / "hf-export"
    with tempfile.TemporaryDirectory() as tmp:
        classifier = tiny_models.save_bert(Path(tmp) / "classifier", with_head=True)
        encoder = tiny_models.save_bert(Path(tmp) / "encoder", with_head=False)
        for name, source, extra in [("tiny-bert-classifier", classifier, []),
                                    ("tiny-bert-classifier-int8", classifier, ["--quantize", "int8"]),
                                    ("tiny-bert-classifier-fp16", classifier, ["--fp16"]),
                                    ("tiny-bert-encoder", encoder, [])]:
            target = out / name
            shutil.rmtree(target, ignore_errors=True)
            export_hf.main([str(source), str(target), "--name", name, *extra,
                            "--description", f"test fixture: {name}, random weights (model-export/tests/tiny_models.py)"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
