#!/usr/bin/env bash
# Lays out clstream as the images install it under /opt/clstream, from a checkout where
# `mvn -pl stream-app,model-export -am package` has run:
#   OUT/bin/clstream            the launcher (it finds its jars in ../target, as in a checkout)
#   OUT/bin/jvm.options         the JVM options the launcher starts with
#   OUT/bin/healthcheck.sh      the container health check
#   OUT/target/clstream-stream-app.jar, OUT/target/lib/
#   OUT/bundles/NAME/           the bundles named, from BUNDLES_DIR (what CLSTREAM_BUNDLES_DIR points at)
# Used by deploy/Dockerfile and deploy/Dockerfile.cuda; DeployConfigIT runs it and starts the launcher
# from the result, since no Docker engine is needed for that.
#   image-tree.sh REPO OUT BUNDLES_DIR NAME...
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 REPO OUT BUNDLES_DIR NAME..." >&2
  exit 2
fi
repo="$1" out="$2" bundles="$3"
shift 3
mkdir -p "$out/bin" "$out/target" "$out/bundles"
cp "$repo/stream-app/bin/clstream" "$repo/stream-app/bin/jvm.options" "$repo/deploy/healthcheck.sh" "$out/bin/"
cp -r "$repo/stream-app/target/clstream-stream-app.jar" "$repo/stream-app/target/lib" "$out/target/"
for name in "$@"; do
  if [ ! -f "$bundles/$name/bundle.json" ]; then
    echo "image-tree.sh: no bundle $name in $bundles (build model-export first)" >&2
    exit 1
  fi
  cp -r "$bundles/$name" "$out/bundles/"
done
