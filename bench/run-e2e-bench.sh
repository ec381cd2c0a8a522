#!/usr/bin/env bash
# End-to-end load run: clstream in embedded mode (real KRaft broker in-process, Avro, exactly-once, the
# default fp32 bundle) fed SpamAssassin-derived short events until all are labeled, beside the encoder
# alone on the same texts in the same run. Output: bench/target/e2e-bench.txt.
# Needs the default bundles: run `mvn -DskipTests install` once first. Arguments go to EndToEndBench
# (--events N, --bundle DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -DskipTests -DskipBundles install
mkdir -p bench/target
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# load average before: $(cat /proc/loadavg)"
  java -version 2>&1 | sed 's/^/# /'
} | tee bench/target/e2e-bench.txt
java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dclstream.bench.corpus=model-export/data/spamassassin.jsonl.gz \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.clstream.bench.EndToEndBench "$@" 2>&1 \
  | grep -v " WARN \| INFO " | tee -a bench/target/e2e-bench.txt
echo "# load average after: $(cat /proc/loadavg)" | tee -a bench/target/e2e-bench.txt
