#!/usr/bin/env bash
# A throwaway local Redis Cluster or Sentinel set, for tests (.ci/run, scripts/test-redis-modes.sh)
# and developers:
#
#   scripts/redis-topology.sh start cluster    # 3 masters + 3 replicas; prints REDIS_CLUSTER_NODES=…
#   scripts/redis-topology.sh start sentinel   # master + replica + 3 sentinels; prints REDIS_SENTINELS=…
#   scripts/redis-topology.sh stop cluster|sentinel
#
# Ports (loopback only) come from REDIS_CLUSTER_PORTS (six), REDIS_SENTINEL_DATA_PORTS (master,
# replica) and REDIS_SENTINEL_PORTS (three). Nothing is persisted (--save "", no AOF); files live
# in REDIS_TOPOLOGY_DIR (default a folder per topology under the system temp dir) and go on stop.
set -euo pipefail

CLUSTER_PORTS=(${REDIS_CLUSTER_PORTS:-7001 7002 7003 7004 7005 7006})
DATA_PORTS=(${REDIS_SENTINEL_DATA_PORTS:-6416 6417})
SENTINEL_PORTS=(${REDIS_SENTINEL_PORTS:-26416 26417 26418})
# The master group's name the sentinels monitor (REDIS_SENTINEL_NAME for the app).
SENTINEL_NAME="${REDIS_SENTINEL_NAME:-cs-test}"
BASE="${REDIS_TOPOLOGY_DIR:-${TMPDIR:-/tmp}/cloudsuite-redis}"

die() { echo "redis-topology: $*" >&2; exit 1; }
ping_ok() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ]; }
wait_for() { # seconds, command…
  local tries=$(($1 * 10)); shift
  for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.1; done
  return 1
}

# redis-server <port> <dir> [extra args…]: daemonized, loopback, nothing persisted.
start_server() {
  local port=$1 dir=$2; shift 2
  ping_ok "$port" && die "port $port already answers: stop what runs there or choose other ports"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no "$@"
  wait_for 5 ping_ok "$port" || die "redis-server on $port did not start (see $dir/redis.log)"
}

stop_dir() { # stops every server whose pid file is under $1, then removes $1
  local dir=$1
  [ -d "$dir" ] || return 0
  for pidfile in "$dir"/*/redis.pid; do
    [ -s "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

# Every master among the given ports has its replica in sync (state=online): until then WAIT
# finds no replica, and a test that waits for one fails for the first seconds of a fresh topology.
replicas_online() {
  for p in "$@"; do
    local info; info=$(redis-cli -p "$p" info replication 2>/dev/null | tr -d '\r')
    [[ "$info" == *"role:master"* ]] || continue
    [[ "$info" == *"state=online"* ]] || return 1
  done
}

cluster_ok() {
  for p in "${CLUSTER_PORTS[@]}"; do
    redis-cli -p "$p" cluster info 2>/dev/null | grep -q "cluster_state:ok" || return 1
  done
}

start_cluster() {
  [ "${#CLUSTER_PORTS[@]}" -eq 6 ] || die "REDIS_CLUSTER_PORTS: expected six ports"
  local dir="$BASE-cluster"
  stop_dir "$dir"
  for p in "${CLUSTER_PORTS[@]}"; do
    # node timeout 2 s: a test of failover need not wait the default 15 s
    start_server "$p" "$dir/$p" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 2000 --repl-diskless-sync-delay 0
  done
  local nodes=()
  for p in "${CLUSTER_PORTS[@]}"; do nodes+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    die "redis-cli --cluster create failed (see $dir/create.log)"
  wait_for 20 cluster_ok || die "the cluster did not reach cluster_state:ok"
  wait_for 20 replicas_online "${CLUSTER_PORTS[@]}" || die "the cluster's replicas did not sync"
  echo "REDIS_CLUSTER_NODES=$(IFS=,; echo "${nodes[*]:0:3}")"
}

sentinels_ready() {
  for p in "${SENTINEL_PORTS[@]}"; do
    local info; info=$(redis-cli -p "$p" sentinel master "$SENTINEL_NAME" 2>/dev/null | tr '\n' ' ')
    [[ "$info" == *"num-slaves 1 "* && "$info" == *"num-other-sentinels 2 "* ]] || return 1
  done
}

start_sentinel() {
  [ "${#DATA_PORTS[@]}" -eq 2 ] || die "REDIS_SENTINEL_DATA_PORTS: expected two ports (master, replica)"
  [ "${#SENTINEL_PORTS[@]}" -eq 3 ] || die "REDIS_SENTINEL_PORTS: expected three ports"
  local dir="$BASE-sentinel" master=${DATA_PORTS[0]} replica=${DATA_PORTS[1]}
  stop_dir "$dir"
  start_server "$master" "$dir/$master" --repl-diskless-sync-delay 0
  start_server "$replica" "$dir/$replica" --replicaof 127.0.0.1 "$master"
  for p in "${SENTINEL_PORTS[@]}"; do
    mkdir -p "$dir/$p"
    # A sentinel rewrites its own file (it records the replicas and the other sentinels it finds).
    cat >"$dir/$p/sentinel.conf" <<EOF
port $p
bind 127.0.0.1
sentinel monitor $SENTINEL_NAME 127.0.0.1 $master 2
sentinel down-after-milliseconds $SENTINEL_NAME 1000
sentinel failover-timeout $SENTINEL_NAME 5000
sentinel parallel-syncs $SENTINEL_NAME 1
EOF
    redis-server "$dir/$p/sentinel.conf" --sentinel --daemonize yes --dir "$dir/$p" \
      --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
    wait_for 5 ping_ok "$p" || die "sentinel on $p did not start (see $dir/$p/redis.log)"
  done
  wait_for 30 sentinels_ready || die "the sentinels did not find the replica and each other"
  wait_for 20 replicas_online "$master" || die "the replica did not sync with the master"
  echo "REDIS_SENTINELS=$(IFS=,; s=(); for p in "${SENTINEL_PORTS[@]}"; do s+=("127.0.0.1:$p"); done; echo "${s[*]}")"
  echo "REDIS_SENTINEL_NAME=$SENTINEL_NAME"
}

command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
  die "redis-server and redis-cli are needed (Debian: apt-get install redis-server)"

case "${1:-} ${2:-}" in
  "start cluster") start_cluster ;;
  "start sentinel") start_sentinel ;;
  "stop cluster") stop_dir "$BASE-cluster" ;;
  "stop sentinel") stop_dir "$BASE-sentinel" ;;
  *) die "usage: $0 start|stop cluster|sentinel" ;;
esac
