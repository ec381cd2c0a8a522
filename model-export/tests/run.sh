#!/usr/bin/env bash
# export_hf.py's tests (model-export/tests, tiny models built in the tests), with a Python that has torch,
# transformers, tokenizers, onnx and onnxruntime: this machine's python3 when it has them, else the Debian tree
# python-env.sh builds (CLSTREAM_PYTHON_ENV, default /opt/clstream-python) when it is complete and this is root
# (chroot); otherwise python3, whose tests then skip, saying why. Prints how many ran and how many skipped. Under CI=true a run where every test
# skipped fails: .ci/run builds that tree, so a skip there means a broken install step.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
env_dir="${CLSTREAM_PYTHON_ENV:-/opt/clstream-python}"
packages="import torch, transformers, tokenizers, onnx, onnxruntime"
if python3 -c "$packages" 2>/dev/null; then
  runner=(python3)
  where="this machine's python3"
elif [ -f "$env_dir/.clstream-python-complete" ] && [ "$(id -u)" = 0 ]; then
  runner=("$repo/model-export/python-env.sh" "$env_dir" run python3)
  where="the Debian tree in $env_dir (model-export/python-env.sh)"
else
  runner=(python3)
  where="this machine's python3, without the packages"
  if [ -f "$env_dir/.clstream-python-complete" ]; then
    where="$where (the tree in $env_dir needs root: chroot)"
  fi
fi
echo "python tests: with $where"
log="$(mktemp)"
set +e
(cd "$repo" && "${runner[@]}" -m unittest discover -s model-export/tests -v) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
ran="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in .*/\1/p' "$log" | tail -1)"
skipped="$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$log" | tail -1)"
rm -f "$log"
echo "python tests: ${ran:-0} run, ${skipped:-0} skipped, exit status $status"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "${CI:-}" = "true" ] && [ "${ran:-0}" -gt 0 ] && [ "${skipped:-0}" = "${ran:-0}" ]; then
  echo "python tests: every test skipped under CI=true; .ci/run builds $env_dir (model-export/python-env.sh)," \
       "so this is an install failure" >&2
  exit 1
fi
