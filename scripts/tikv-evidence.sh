#!/usr/bin/env bash
# Runs workloads against PD + TiKV v8.1.2 built by scripts/tikv-build/build.sh and keeps every run
# as evidence (evidence/tikv-v8.1.2/<workload>-<label>/, re-checked by evidence/evidence.test.ts),
# so the evidence table can be reproduced one command per row group. The runs go to a fresh store
# under /tmp; nothing but the kept files enters the repository.
#
# usage: scripts/tikv-evidence.sh LABEL [jepsen-tikv test options...]
#   e.g. scripts/tikv-evidence.sh schedules-restart-kv --workload set,bank \
#          --nemesis schedules,restart-kv-without-pd
# Environment: TIKV_TARBALLS (default /var/cache/jepsen-tikv/tarballs; the default TiKV build,
# else tarballs/nojemalloc/), TIKV_CLOCK=1 for clock faults (no-jemalloc build only),
# JEPSEN_TIME_LIMIT (20), JEPSEN_NEMESIS_INTERVAL (4), JEPSEN_PROVIDER (local).
set -euo pipefail
cd "$(dirname "$0")/.."
(($# >= 1)) || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
label=$1
shift
[[ $label =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "tikv-evidence: LABEL must be lowercase letters, digits and dashes: $label" >&2; exit 2; }

. scripts/tikv-build/tarballs.sh
for f in "$BUILT_PD_TARBALL" "$BUILT_TIKV_TARBALL"; do
  [[ -f $f ]] || { echo "tikv-evidence: no $f (build it with scripts/tikv-build/build.sh)" >&2; exit 2; }
done

store=$(mktemp -d /tmp/tikv-evidence.XXXXXX)
echo "tikv-evidence: $label: PD $BUILT_PD_TARBALL, TiKV $BUILT_TIKV_TARBALL, store $store"
status=0
JEPSEN_STORE=$store JEPSEN_DB=tikv TIKV_VERSION=v8.1.2 TIKV_PD_TARBALL=$BUILT_PD_TARBALL TIKV_TARBALL=$BUILT_TIKV_TARBALL \
  JEPSEN_TIME_LIMIT=${JEPSEN_TIME_LIMIT:-20} JEPSEN_NEMESIS_INTERVAL=${JEPSEN_NEMESIS_INTERVAL:-4} \
  node bin/jepsen-tikv.mjs test "$@" || status=$?

for run in "$store"/*/*/; do
  [[ -f $run/test.json && -f $run/history.jsonl ]] || continue
  workload=$(node -p "JSON.parse(require('fs').readFileSync('$run/test.json', 'utf8')).workload")
  node scripts/keep-evidence.mjs "$run" "evidence/tikv-v8.1.2/$workload-$label"
done
echo "tikv-evidence: $label: jepsen-tikv test exited $status (0 valid, 1 invalid, 2 unknown, 3 bad input, 4 a test failed); runs in $store"
exit "$status"
