#!/usr/bin/env bash
# A Python environment for export_hf.py from Debian packages alone, for machines that reach Debian's
# mirrors but not PyPI: a minimal Debian forky (testing) tree with torch, transformers, tokenizers,
# onnx and onnxruntime, entered with chroot. Needs root and debootstrap (apt-get install debootstrap).
#
#   sudo model-export/python-env.sh /opt/forky          # once, about 1.5 GB, a few minutes
#   sudo model-export/python-env.sh /opt/forky run python3 model-export/export_hf.py MODEL OUT
#
# "run" bind-mounts the repository at the same path inside the tree and runs the command there.
set -euo pipefail
root="${1:?usage: python-env.sh ROOT_DIR [run COMMAND...]}"
shift
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages="python3 python3-torch python3-transformers python3-tokenizers python3-onnx python3-onnxruntime
  python3-numpy python3-sentencepiece python3-protobuf"

# Written last: a tree without it (an interrupted build) is built again from scratch.
complete="$root/.clstream-python-complete"
if [ ! -f "$complete" ]; then
  if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then
    # Only ever delete an interrupted build of this script, with nothing mounted inside it.
    if [ ! -f "$root/etc/debian_version" ] || grep -q " $(realpath "$root")/" /proc/mounts; then
      echo "python-env.sh: $root is not empty and not an unmounted, interrupted build of this script;" \
           "give a new or empty directory" >&2
      exit 2
    fi
    rm -rf "$root"
  fi
  # debootstrap has no forky script yet; sid's fits.
  debootstrap --variant=minbase forky "$root" http://deb.debian.org/debian /usr/share/debootstrap/scripts/sid
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # Testing's Release files can be past their Valid-Until on a mirror snapshot; the signatures are still checked.
  chroot "$root" bash -c "export DEBIAN_FRONTEND=noninteractive
    apt-get -o Acquire::Check-Valid-Until=false update -q
    apt-get install -y -q --no-install-recommends $(echo $packages)"
  touch "$complete"
fi

# ONNX Runtime and torch read /proc (the CPUs) on import. What this run mounts it unmounts again, so that the tree
# never holds a mount of the repository when it is deleted.
mounted=()
# A busy mount is detached lazily; either way the command's own exit status is kept.
trap 'status=$?; for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" || true; done; exit $status' EXIT
if ! mountpoint -q "$root/proc"; then
  mount -t proc proc "$root/proc"
  mounted=("$root/proc")
fi
if [ "${1:-}" = "run" ]; then
  shift
  mkdir -p "$root$repo"
  if ! mountpoint -q "$root$repo"; then
    mount --bind "$repo" "$root$repo"
    mounted=("$root$repo" "${mounted[@]}")
  fi
  chroot "$root" bash -c "cd '$repo' && $(printf '%q ' "$@")"
else
  chroot "$root" python3 -c "import torch, transformers, tokenizers, onnx, onnxruntime as o
print('torch', torch.__version__, 'transformers', transformers.__version__, 'onnxruntime', o.__version__)"
fi
