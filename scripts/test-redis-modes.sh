#!/usr/bin/env bash
# The exactly-once suites (delivery, sync, approvals, the pipeline's commit) against a real local
# Redis Cluster, and the same plus a failover against a Sentinel set: each topology is started by
# scripts/redis-topology.sh and stopped when this script exits, whatever happens.
#
#   scripts/test-redis-modes.sh [cluster|sentinel|all]     (default all; .ci/run runs all)
#
# REDIS_URL stays what it was (the plain node the rest of the suite uses); the tests pick the
# topology from REDIS_CLUSTER_NODES / REDIS_SENTINELS (test/support/redis.ts). Ports: see
# scripts/redis-topology.sh. Each run writes its vitest report to test/artifacts/vitest-<mode>.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# The files whose assertions are exactly-once counts: every alert posted once and in order
# across worker processes and a kill -9, a delivered marker and its audit entry in one step, a
# re-enqueued delivered alert, a poll's watermark and hashes across a restart, one decision per
# approval and its audit entry, the ERP written once per decision, the pipeline's commit memo.
EXACTLY_ONCE=(
  test/delivery/multi-worker.test.ts
  test/delivery/delivery.test.ts
  test/delivery/marker-with-audit.test.ts
  test/delivery/requeue-delivered.test.ts
  test/sync/poll.test.ts
  test/sync/restart.test.ts
  test/sync/alert-sink.test.ts
  test/sync/lock.test.ts
  test/approvals/decide.test.ts
  test/approvals/store.test.ts
  test/approvals/transition-audit.test.ts
  test/approvals/erp-write-back.test.ts
  test/pipeline/state-store.test.ts
  test/shared/replica-acks.test.ts
)
# A Sentinel set is one master to the app (the same commands as a single node): what it adds is
# the failover, so it runs that and the quick exactly-once files, not the slow delivery ones again.
SENTINEL=(
  test/redis-modes/sentinel-failover.test.ts
  test/redis-modes/sentinel-quit.test.ts
  test/delivery/marker-with-audit.test.ts
  test/sync/poll.test.ts
  test/approvals/decide.test.ts
  test/approvals/transition-audit.test.ts
  test/shared/replica-acks.test.ts
)

modes=("${1:-all}")
[ "${modes[0]}" = "all" ] && modes=(cluster sentinel)

started=()
# An `if`, not `[ -n "$m" ] && …`: a false test as the trap's last command ended the script with 1
# under `set -e` after every suite had passed (the slot of a topology already stopped is empty).
stop_all() {
  for m in "${started[@]}"; do
    if [ -n "$m" ]; then scripts/redis-topology.sh stop "$m" || true; fi
  done
}
trap stop_all EXIT

status=0
for mode in "${modes[@]}"; do
  case "$mode" in
    cluster) files=("${EXACTLY_ONCE[@]}") ;;
    sentinel) files=("${SENTINEL[@]}") ;;
    *) echo "usage: $0 [cluster|sentinel|all]" >&2; exit 2 ;;
  esac
  echo "redis modes: starting a local ${mode}"
  started+=("$mode")
  env_lines=$(scripts/redis-topology.sh start "$mode")
  echo "$env_lines"
  started_at=$(date +%s)
  # `env` with the printed NAME=value lines: the tests see the topology, nothing else changes.
  # shellcheck disable=SC2046
  if ! env $(echo "$env_lines" | tr '\n' ' ') npx vitest run "${files[@]}" \
      --outputFile.json="test/artifacts/vitest-${mode}.json"; then
    status=1
  fi
  echo "redis modes: ${mode} suites took $(( $(date +%s) - started_at )) s"
  scripts/redis-topology.sh stop "$mode"
  started=("${started[@]/$mode}")
done
exit $status
