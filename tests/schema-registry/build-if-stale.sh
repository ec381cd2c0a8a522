#!/usr/bin/env bash
# Builds the Schema Registry runner jar (target/schema-registry-dev-1.0-runner.jar + target/lib/) as a nested Maven
# build with this directory's own settings.xml, unless the jar exists and is newer than every recipe file.
# Called by tests/pom.xml (exec-maven-plugin, pre-integration-test); it can also be run by hand.
#
# usage: build-if-stale.sh [--mvn=MVN] [--offline=true|false] [--repo=LOCAL_REPO] [--skip=true|false]...
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
mvn=mvn
offline=false
repo=
for arg in "$@"; do
  case "$arg" in
    --mvn=*) mvn="${arg#--mvn=}" ;;
    --offline=*) offline="${arg#--offline=}" ;;
    --repo=*) repo="${arg#--repo=}" ;;
    --skip=true)
      echo "schema-registry: tests are skipped, not building the registry"
      exit 0 ;;
    --skip=*) ;;
    *) echo "build-if-stale.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

jar="$dir/target/schema-registry-dev-1.0-runner.jar"
if [[ -f "$jar" && -d "$dir/target/lib" ]] \
    && [[ -z "$(find "$dir/pom.xml" "$dir/settings.xml" "$dir/src" -newer "$jar" -print -quit)" ]]; then
  echo "schema-registry: $jar is up to date"
  exit 0
fi

args=(-B -ntp -q -s "$dir/settings.xml" -f "$dir/pom.xml" -DskipTests)
[[ "$offline" == true ]] && args+=(-o)
[[ -n "$repo" ]] && args+=("-Dmaven.repo.local=$repo")
echo "schema-registry: building $jar (cold: about 3 minutes, ~1,400 downloads from Maven Central; warm: ~20 s)"
start=$(date +%s)
"$mvn" "${args[@]}" package
if [[ ! -f "$jar" ]]; then
  echo "schema-registry: the build did not produce $jar" >&2
  exit 1
fi
touch "$jar"
echo "schema-registry: built in $(( $(date +%s) - start )) s"
