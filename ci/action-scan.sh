#!/usr/bin/env bash
# The shell part of action.yml: downloads a pinned modelvet release jar, checks its SHA-256 before
# running anything, scans, and writes SARIF. Tested in .ci/run against a locally built jar (file:// URL).
# Inputs (environment): MODELVET_JAR_URL, MODELVET_JAR_SHA256 (both required), MODELVET_PATHS (default .),
# MODELVET_SARIF (default modelvet.sarif), MODELVET_FAIL_ON (default high), MODELVET_WORKDIR (default $RUNNER_TEMP or /tmp).
set -euo pipefail
: "${MODELVET_JAR_URL:?set MODELVET_JAR_URL to a modelvet-<version>.jar release URL}"
: "${MODELVET_JAR_SHA256:?set MODELVET_JAR_SHA256 to the published SHA-256 of the jar}"
work="${MODELVET_WORKDIR:-${RUNNER_TEMP:-/tmp}}/modelvet-action"
mkdir -p "$work"
jar="$work/modelvet.jar"
curl -fsSL --retry 3 -o "$jar.part" "$MODELVET_JAR_URL"
if ! echo "${MODELVET_JAR_SHA256}  $jar.part" | sha256sum -c --status; then
  echo "modelvet action: checksum mismatch for $MODELVET_JAR_URL (expected $MODELVET_JAR_SHA256); not running it" >&2
  rm -f "$jar.part"
  exit 3
fi
mv "$jar.part" "$jar"
read -r -a paths <<< "${MODELVET_PATHS:-.}"
set +e
java -Xmx1g -jar "$jar" scan --no-progress --no-cache --fail-on "${MODELVET_FAIL_ON:-high}" \
  --format sarif -o "${MODELVET_SARIF:-modelvet.sarif}" "${paths[@]}"
rc=$?
set -e
echo "modelvet action: exit $rc (0 clean, 1 blocking finding, 2 incomplete scan, 3 usage)" >&2
exit "$rc"
