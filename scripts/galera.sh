#!/usr/bin/env bash
# A throwaway 3-node MariaDB Galera cluster on loopback, for sluice's Galera tests and bench.
#
#   scripts/galera.sh start          wipe $GALERA_DIR, bootstrap node 1, join nodes 2 and 3
#   scripts/galera.sh stop           stop every node and remove $GALERA_DIR
#   scripts/galera.sh status         one line per node: port, state, cluster size
#   scripts/galera.sh kill N         SIGKILL node N (what a crash does)
#   scripts/galera.sh start-node N   bring a killed node back (recovers its position, joins by IST)
#
# Client ports 4406-4408 (never the standalone server's 3306), gcomm 4567/4577/4587, IST
# 4568/4578/4588, rsync SST 4444/4454/4464. Users: root@127.0.0.1 with no password, database test.
# The nodes are started with setsid: a caller should `trap 'scripts/galera.sh stop' EXIT`.
set -euo pipefail

DIR="${GALERA_DIR:-/tmp/sluice-galera}"
NODES=3
PROVIDER=/usr/lib/galera/libgalera_smm.so

port() { echo $((4406 + $1 - 1)); }
gcomm_port() { echo $((4567 + 10 * ($1 - 1))); }
node_dir() { echo "$DIR/node$1"; }
log() { printf 'galera: %s\n' "$*" >&2; }

need() {
  local missing=()
  [ -e "$PROVIDER" ] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  if [ ${#missing[@]} -gt 0 ]; then
    log "missing: ${missing[*]} (apt-get install -y ${missing[*]})"
    exit 1
  fi
}

write_config() {
  local n=$1 d
  d=$(node_dir "$n")
  local members=()
  for i in $(seq 1 $NODES); do members+=("127.0.0.1:$(gcomm_port "$i")"); done
  local addr
  addr=$(IFS=,; echo "${members[*]}")
  cat >"$d/my.cnf" <<EOF
[mysqld]
user=mysql
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
port=$(port "$n")
bind-address=127.0.0.1
skip-name-resolve
performance_schema=OFF
innodb_buffer_pool_size=128M
innodb_log_file_size=128M
max_allowed_packet=64M
local_infile=1
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=sluice_galera
wsrep_cluster_address=gcomm://$addr
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$(gcomm_port "$n")
wsrep_node_incoming_address=127.0.0.1:$(port "$n")
wsrep_provider_options="base_port=$(gcomm_port "$n");gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(($(gcomm_port "$n") + 1));gcache.size=128M;gcache.dir=$d/data"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((4444 + 10 * (n - 1)))
wsrep_slave_threads=2
EOF
}

sql() { # sql N STATEMENT: over the node's socket, as the unix_socket root
  mariadb --no-defaults -uroot -S "$(node_dir "$1")/mysqld.sock" -N -B -e "$2"
}

node_pid() { # the recorded pid, only when it is still this node's mariadbd
  local f
  f="$(node_dir "$1")/launch.pid"
  [ -f "$f" ] || return 1
  local pid
  pid=$(cat "$f")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--defaults-file=$(node_dir "$1")/my.cnf" && echo "$pid"
}

wait_synced() { # wait_synced N SECONDS
  local n=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(sql "$n" "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ] &&
      [ "$(sql "$n" "SHOW GLOBAL STATUS LIKE 'wsrep_ready'" 2>/dev/null | cut -f2)" = ON ]; then
      return 0
    fi
    node_pid "$n" >/dev/null || { log "node $n died; see $(node_dir "$n")/error.log"; tail -n 20 "$(node_dir "$n")/error.log" >&2; return 1; }
    sleep 0.3
  done
  log "node $n not Synced after $2 s"
  return 1
}

launch() { # launch N [extra mariadbd args...]
  local n=$1
  shift
  local d
  d=$(node_dir "$n")
  setsid /usr/sbin/mariadbd --defaults-file="$d/my.cnf" "$@" </dev/null >>"$d/launch.log" 2>&1 &
  echo $! >"$d/launch.pid"
}

start_all() {
  need
  stop_all quiet
  mkdir -p "$DIR"
  for n in $(seq 1 $NODES); do
    local d
    d=$(node_dir "$n")
    mkdir -p "$d"
    write_config "$n"
  done
  chown -R mysql:mysql "$DIR" 2>/dev/null || true
  # Only node 1 is initialised: the joiners receive its data by SST.
  mariadb-install-db --no-defaults --user=mysql --datadir="$(node_dir 1)/data" \
    --auth-root-authentication-method=socket >"$(node_dir 1)/install.log" 2>&1
  launch 1 --wsrep-new-cluster
  wait_synced 1 60
  # skip-name-resolve: a TCP client from 127.0.0.1 is not root@localhost.
  sql 1 "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; CREATE DATABASE IF NOT EXISTS test"
  for n in $(seq 2 $NODES); do
    mkdir -p "$(node_dir "$n")/data"
    chown mysql:mysql "$(node_dir "$n")/data"
    launch "$n"
    wait_synced "$n" 90
  done
  log "up: $(status_all | tr '\n' ';')"
}

start_node() { # a node that was killed: recover its position so it joins by IST, not a full SST
  local n=$1 d pos
  d=$(node_dir "$n")
  if node_pid "$n" >/dev/null; then log "node $n is running"; return 0; fi
  rm -f "$d/recover.log"
  /usr/sbin/mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --log-error="$d/recover.log" >/dev/null 2>&1 || true
  pos=$(grep -o 'Recovered position: [^ ]*' "$d/recover.log" 2>/dev/null | tail -n1 | awk '{print $3}')
  if [ -n "$pos" ]; then launch "$n" --wsrep_start_position="$pos"; else launch "$n"; fi
  wait_synced "$n" 90
}

kill_node() {
  local pid
  pid=$(node_pid "$1") || { log "node $1 is not running"; return 1; }
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

stop_all() {
  local quiet=${1:-}
  for n in $(seq $NODES -1 1); do
    local pid
    if pid=$(node_pid "$n"); then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DIR"
  [ -n "$quiet" ] || log "stopped"
}

status_all() {
  for n in $(seq 1 $NODES); do
    if node_pid "$n" >/dev/null; then
      printf 'node%s port %s %s size %s\n' "$n" "$(port "$n")" \
        "$(sql "$n" "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" \
        "$(sql "$n" "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2)"
    else
      printf 'node%s port %s down\n' "$n" "$(port "$n")"
    fi
  done
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  status) status_all ;;
  kill) kill_node "${2:?node number}" ;;
  start-node) start_node "${2:?node number}" ;;
  *)
    echo "usage: $0 start|stop|status|kill N|start-node N" >&2
    exit 2
    ;;
esac
