#!/usr/bin/env bash
# End-to-end load run: clstream in embedded mode (real KRaft broker in-process, Avro, exactly-once, the
# default fp32 bundle) fed SpamAssassin-derived short events until all are labeled, beside the encoder
# alone on the same texts in the same run. Output: bench/target/e2e-bench.txt.
# Needs the default bundles: run `mvn -DskipTests install` once first. Arguments go to EndToEndBench
# (--events N, --bundle DIR, --warmup-seconds S); --bundle may be given more than once: each bundle is run in a JVM
# of its own, one after the other, in this one run.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -DskipTests -DskipBundles install
mkdir -p bench/target
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# load average before: $(cat /proc/loadavg)"
  java -version 2>&1 | sed 's/^/# /'
} | tee bench/target/e2e-bench.txt
bundles=()
rest=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--bundle" ]; then
    [ $# -ge 2 ] || { echo "run-e2e-bench.sh: --bundle needs a directory" >&2; exit 2; }
    bundles+=("$2"); shift 2
  else
    rest+=("$1"); shift
  fi
done
# One JVM per bundle; with none named, one run of EndToEndBench's default bundle.
[ ${#bundles[@]} -gt 0 ] || bundles=("")
for bundle in "${bundles[@]}"; do
  args=(${rest[@]+"${rest[@]}"})
  [ -z "$bundle" ] || args+=(--bundle "$bundle")
  # The app runs in this JVM: with the launcher's JVM options, then BENCH_JAVA_OPTS (to compare others).
  # shellcheck disable=SC2046
  java $(sed -e 's/^[[:space:]]*//' -e '/^#/d' -e '/^$/d' stream-app/bin/jvm.options) ${BENCH_JAVA_OPTS:-} \
    -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dclstream.bench.corpus=model-export/data/spamassassin.jsonl.gz \
    -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.clstream.bench.EndToEndBench \
    ${args[@]+"${args[@]}"} 2>&1 | grep -v " WARN \| INFO " | tee -a bench/target/e2e-bench.txt
done
echo "# load average after: $(cat /proc/loadavg)" | tee -a bench/target/e2e-bench.txt
