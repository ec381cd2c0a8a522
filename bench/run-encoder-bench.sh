#!/usr/bin/env bash
# Builds clstream and runs the encoder benchmark (clstream vs langchain4j vs a bare ONNX Runtime
# loop, JMH), teeing everything to bench/target/encoder-bench.txt. Extra arguments go to
# dev.clstream.bench.EncoderBench (e.g. quick, check=false, sets=short, batches=8).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
mvn -q -DskipTests -DskipBundles install

# Run from a private copy of everything built in this repository (bench/target/classes, which holds
# META-INF/BenchmarkList from JMH's annotation processor, and the module jars named in
# bench/target/classpath.txt): other people rebuild these target folders while a run takes minutes,
# and a class folder or jar replaced under a running JVM breaks the run.
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/clstream-encoder-bench.XXXXXX")"
trap 'rm -rf "$RUN_DIR"' EXIT
cp -r bench/target/classes "$RUN_DIR/bench-classes"
CP="$RUN_DIR/bench-classes"
IFS=':' read -r -a ENTRIES < bench/target/classpath.txt || true  # no trailing newline
for entry in "${ENTRIES[@]}"; do
  case "$entry" in
    "$ROOT"/*)
      copy="$RUN_DIR/$(echo "${entry#"$ROOT"/}" | tr '/' '_')"
      cp -r "$entry" "$copy"
      CP="$CP:$copy" ;;
    *) CP="$CP:$entry" ;;
  esac
done

# The corpus too, so every forked JVM samples the same texts.
cp model-export/data/spamassassin.jsonl.gz "$RUN_DIR/spamassassin.jsonl.gz"

mkdir -p bench/target
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), nproc $(nproc)"
  echo "# load average before: $(cat /proc/loadavg)"
  java -version 2>&1 | sed 's/^/# /'
} | tee bench/target/encoder-bench.txt
java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dclstream.bench.corpus="$RUN_DIR/spamassassin.jsonl.gz" \
  -cp "$CP" dev.clstream.bench.EncoderBench "$@" 2>&1 \
  | tee -a bench/target/encoder-bench.txt
echo "# load average after: $(cat /proc/loadavg)" | tee -a bench/target/encoder-bench.txt
