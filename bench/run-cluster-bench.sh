#!/usr/bin/env bash
# Multi-process runs: the broker in the bench's JVM, clstream instances as child JVMs (`clstream run`).
#   bench/run-cluster-bench.sh scale [--events N] [--partitions P] [--rounds R] [--bundle DIR]
#       one instance pinned to one core (taskset) against two instances pinned to one core each; the default bundle
#       (run `mvn -DskipTests install` once first to build it)
#   bench/run-cluster-bench.sh restart [--events N,N,...] [--text-bytes B] [--partitions P]
#       start -> ready after a kill -9 following a long run, changelog with Kafka's defaults and with clstream's;
#       the tiny test encoder
#   bench/run-cluster-bench.sh cache [--events N] [--repeats 0,50,90] [--rounds R] [--bundle DIR]
#       one instance (any core) through backlogs with that share of repeated texts, the repeat cache off and on;
#       the default bundle
#   bench/run-cluster-bench.sh shadow [--events N] [--paced-events N] [--rounds R] [--rate X] [--bundle DIR] [--shadow DIR]
#       one instance without and with a shadow model (the int8 bundle by default): backlog rate and latency at 70%
#   bench/run-cluster-bench.sh heads [--events N] [--rounds R] [--bundle DIR]
#       one instance serving the default bundle with its one head, then with two more heads: backlog rate
#   bench/run-cluster-bench.sh profile [--events N] [--bundle DIR]
#       one instance under a flight recording: its CPU per event by component, the broker's, records written per event
# Output: bench/target/<scale|restart|cache|shadow|heads|profile>-bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  scale) main=dev.clstream.bench.ScaleBench ;;
  restart) main=dev.clstream.bench.RestartBench ;;
  cache) main=dev.clstream.bench.RepeatCacheBench ;;
  shadow) main=dev.clstream.bench.ShadowBench ;;
  heads) main=dev.clstream.bench.HeadsBench ;;
  profile) main=dev.clstream.bench.ProfileBench ;;
  *) echo "usage: $0 scale|restart|cache|shadow|heads|profile [arguments]" >&2; exit 2 ;;
esac
out="bench/target/$1-bench.txt"
shift
mvn -q -DskipTests -DskipBundles install
mkdir -p bench/target
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "# load average before: $(cat /proc/loadavg)"
  java -version 2>&1 | sed 's/^/# /'
} | tee "$out"
# The log's own lines (and logback's start-up status) stay out of the figures; progress lines go through as they come.
java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Dclstream.bench.corpus=model-export/data/spamassassin.jsonl.gz \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" "$main" "$@" 2>&1 \
  | { grep --line-buffered -v " WARN \| INFO \|^[0-9:,]* |-" || true; } | tee -a "$out"
echo "# load average after: $(cat /proc/loadavg)" | tee -a "$out"
