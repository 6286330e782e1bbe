#!/usr/bin/env bash
# A local ViaSocket cluster on 127.0.0.1: K silo processes + one front-end-only process against one PostgreSQL.
#
#   scripts/cluster.sh start K [--run-dir DIR] [--owner-pid PID]   start, wait until every /health/ready answers 200
#   scripts/cluster.sh status  [--run-dir DIR]                     pid, ports and readiness of each process
#   scripts/cluster.sh stop    [--run-dir DIR]                     TERM each pid, KILL after CLUSTER_STOP_TIMEOUT s
#   scripts/cluster.sh start-silo N [--run-dir DIR]                start silo N again on its ports (after a kill)
#   scripts/cluster.sh kill-silo N [--at MS] [--run-dir DIR]       kill -9 silo N, at MS (Unix epoch milliseconds) if given
#
# Transport: mutual TLS between all processes, with a throwaway CA and one certificate per process that start writes
# to DIR/cluster-tls (`ViaSocket.Server cluster-certs`; removed by stop). Your own ViaSocket__Cluster__Tls__* settings
# are used instead when given; CLUSTER_TLS=off runs clear text (every process is on 127.0.0.1, so that is allowed).
# Database: ViaSocket__Database__ConnectionString from the environment, else a throwaway PostgreSQL in the run
# directory (deleted by stop). Other ViaSocket__* / Logging__* variables pass through to every process and are kept
# for start-silo. --owner-pid: a watchdog stops the cluster once that process is gone (for harnesses).
# The service comes from `dotnet build src/ViaSocket.Server -c Release` (built here if missing), copied into the run
# directory so a rebuild of the checkout does not change a running cluster.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
script="$repo/scripts/$(basename "$0")"

usage() { sed -n '2,8p' "$script" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "cluster.sh: $*" >&2; exit 1; }

command_name="${1:-}"
[ -n "$command_name" ] || usage
shift
count=""
if [ "$command_name" = start ] || [ "$command_name" = start-silo ] || [ "$command_name" = kill-silo ] || [ "$command_name" = watch ]; then
  count="${1:-}"
  [[ "$count" =~ ^[0-9]+$ ]] || usage
  shift
fi
run_dir="${CLUSTER_RUN_DIR:-${TMPDIR:-/tmp}/viasocket-cluster-$(id -un)}"
owner_pid=""
kill_at=""
while [ $# -gt 0 ]; do
  case "$1" in
    --run-dir) run_dir="$2"; shift 2 ;;
    --owner-pid) owner_pid="$2"; shift 2 ;;
    --at) kill_at="$2"; shift 2 ;;
    *) usage ;;
  esac
done
stop_timeout="${CLUSTER_STOP_TIMEOUT:-20}"
cluster_tls="${CLUSTER_TLS:-on}"
[ "$cluster_tls" = on ] || [ "$cluster_tls" = off ] || die "CLUSTER_TLS is on or off, not '$cluster_tls'"
ready_timeout="${CLUSTER_READY_TIMEOUT:-120}"
processes="$run_dir/processes.tsv"

# --- helpers -------------------------------------------------------------------------------------------------------

# Sets $port to one nobody listens on and not handed out yet in this run (ss sees every listener on the machine).
# Not a command substitution: the list of ports handed out has to survive the call. Ports come from below the kernel's
# ephemeral range: one inside it can be taken by any outgoing connection between this check and the bind.
used_ports=" "
ephemeral_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
port_base=$((ephemeral_low > 20000 ? 10000 : 1024))
free_port() {
  while :; do
    port=$((port_base + RANDOM % (ephemeral_low - port_base)))
    if [[ "$used_ports" != *" $port "* ]] && [ -z "$(ss -Hltn "sport = :$port")" ]; then
      used_ports+="$port "
      return
    fi
  done
}

# Only a pid that still runs our service (or our watchdog) is signalled: pids are reused once a process is gone.
is_ours() {
  local pid="$1" what="$2"
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$what"
}

wait_ready() {
  local name="$1" port="$2" pid="$3" deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "cluster.sh: $name exited during start; last log lines:" >&2
      tail -n 20 "$run_dir/$name.log" >&2
      return 1
    fi
    if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready"; then
      echo "$name ready on http://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    sleep 0.5
  done
  echo "cluster.sh: $name not ready within ${ready_timeout}s; see $run_dir/$name.log" >&2
  return 1
}

# Starts one process from its processes.tsv row; prints its pid. The environment file is read in a subshell so the
# per-process settings below always win over inherited ones.
launch() {
  local name="$1" role="$2" http="$3" silo="$4" gateway="$5" frontend_url
  frontend_url="http://127.0.0.1:$(awk -F'\t' '$2 == "frontend" { print $3 }' "$processes")"
  (
    # shellcheck disable=SC1091
    . "$run_dir/environment"
    export ViaSocket__Role="$role" Urls="http://127.0.0.1:$http"
    export ViaSocket__PublicBaseUrl="${ViaSocket__PublicBaseUrl:-$frontend_url}"
    export ViaSocket__Database__ConnectionString
    ViaSocket__Database__ConnectionString="$(cat "$run_dir/connection-string")"
    if [ -f "$run_dir/cluster-tls/$name.crt" ]; then
      export ViaSocket__Cluster__Tls__CertificatePath="$run_dir/cluster-tls/$name.crt" ViaSocket__Cluster__Tls__KeyPath="$run_dir/cluster-tls/$name.key"
    fi
    if [ "$role" = silo ]; then
      export ViaSocket__Cluster__SiloPort="$silo" ViaSocket__Cluster__GatewayPort="$gateway" ViaSocket__Cluster__AdvertisedAddress=127.0.0.1
    fi
    cd "$run_dir/app"
    # setsid: a Ctrl+C in the terminal that ran start does not reach the cluster; stop does.
    setsid nohup dotnet "$run_dir/app/ViaSocket.Server.dll" >"$run_dir/$name.log" 2>&1 </dev/null &
    echo $! >"$run_dir/$name.pid"
  )
  cat "$run_dir/$name.pid"
}

pg_bin() {
  local found
  found=$(compgen -G "/usr/lib/postgresql/*/bin/$1" | sort -V | tail -n 1 || true)
  echo "${found:-$1}"
}

# PostgreSQL refuses to run as root; as root the throwaway instance runs as the postgres account.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd "$run_dir" && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
  local dir="$run_dir/postgres" port password
  "$repo/scripts/ensure-postgres.sh"
  mkdir -p "$dir"
  chmod 700 "$dir"
  password=$(openssl rand -hex 24)
  (umask 077 && echo "$password" >"$dir/pwfile")
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir" "$dir/pwfile"; fi
  as_pg_owner "$(pg_bin initdb)" -D "$dir/data" -U postgres --auth=scram-sha-256 --pwfile="$dir/pwfile" -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  free_port
  # Loopback TCP only, no Unix socket; fsync off: this instance is thrown away with the run.
  as_pg_owner "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=300 -c fsync=off -c full_page_writes=off -c timezone=UTC" \
    start >/dev/null || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  # The password stays in a private pgpass file that Npgsql reads; the connection string carries none.
  (umask 077 && echo "127.0.0.1:$port:*:postgres:$password" >"$run_dir/pgpass")
  PGPASSFILE="$run_dir/pgpass" "$(pg_bin psql)" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE viasocket" >/dev/null
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=viasocket;Passfile=$run_dir/pgpass"
}

stop_postgres() {
  local dir="$run_dir/postgres"
  [ -d "$dir/data" ] || return 0
  as_pg_owner "$(pg_bin pg_ctl)" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$run_dir/pgpass"
}

# A throwaway CA and a certificate per process (names from processes.tsv), unless the caller brought certificates or
# turned TLS off. The CA path goes to the shared environment; launch picks each process's own certificate and key.
generate_certificates() {
  local dir="$run_dir/cluster-tls" name
  local -a nodes=()
  rm -rf "$dir"
  if [ "$cluster_tls" = off ] || [ -n "${ViaSocket__Cluster__Tls__CertificatePath:-}${ViaSocket__Cluster__Tls__StoreThumbprint:-}${ViaSocket__Cluster__Tls__StoreSubject:-}" ]; then
    return 0
  fi
  for name in $(cut -f1 "$processes"); do nodes+=(--node "$name"); done
  dotnet "$run_dir/app/ViaSocket.Server.dll" cluster-certs --out "$dir" "${nodes[@]}" --days 30 || die "cluster-certs failed"
  echo "export ViaSocket__Cluster__Tls__CaCertificatesPath=$(printf %q "$dir/ca.crt")" >>"$run_dir/environment"
}

stop_process() {
  local name="$1" pid
  pid=$(cat "$run_dir/$name.pid" 2>/dev/null || true)
  rm -f "$run_dir/$name.pid"
  [ -n "$pid" ] && is_ours "$pid" ViaSocket.Server.dll || return 0
  kill -TERM "$pid" 2>/dev/null || true
  echo "$pid"
}

# --- commands ------------------------------------------------------------------------------------------------------

cmd_start() {
  local k="$1" i port pid
  [ "$k" -ge 1 ] || die "K must be at least 1"
  if [ -f "$processes" ] && ls "$run_dir"/*.pid >/dev/null 2>&1; then
    die "a cluster is already running in $run_dir (scripts/cluster.sh stop --run-dir $run_dir)"
  fi
  mkdir -p "$run_dir"
  chmod 755 "$run_dir"
  rm -f "$run_dir"/*.log "$processes"

  local build="$repo/src/ViaSocket.Server/bin/Release/net10.0"
  if [ ! -f "$build/ViaSocket.Server.dll" ]; then
    echo "Building the service (Release)..."
    dotnet build "$repo/src/ViaSocket.Server/ViaSocket.Server.csproj" -c Release --nologo -v quiet >/dev/null
  fi
  rm -rf "$run_dir/app"
  cp -r "$build" "$run_dir/app"

  # Pass-through settings, kept for start-silo. Secrets in here stay readable by this user only.
  (umask 077 && : >"$run_dir/environment")
  local name
  for name in $(compgen -e | grep -E '^(ViaSocket__|Logging__|DOTNET_|ASPNETCORE_)' || true); do
    [ "$name" = ViaSocket__Database__ConnectionString ] || declare -p "$name" >>"$run_dir/environment"
  done
  if [ -z "${ViaSocket__Encryption__KeyDirectory:-}" ] && [ -z "${ViaSocket__Encryption__ActiveKeyId:-}" ]; then
    # The first silo generates the master key here before the others start, so all share it.
    mkdir -p "$run_dir/master-keys"
    chmod 700 "$run_dir/master-keys"
    echo "export ViaSocket__Encryption__KeyDirectory=$(printf %q "$run_dir/master-keys")" >>"$run_dir/environment"
  fi
  if [ -z "${ViaSocket__Bootstrap__ApiKey:-}" ]; then
    local key
    key="vso_$(openssl rand -hex 9)_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"
    (umask 077 && echo "$key" >"$run_dir/bootstrap-api-key")
    echo "export ViaSocket__Bootstrap__ApiKey=$(printf %q "$key")" >>"$run_dir/environment"
  fi

  (umask 077 && if [ -n "${ViaSocket__Database__ConnectionString:-}" ]; then
    echo "$ViaSocket__Database__ConnectionString" >"$run_dir/connection-string"
  else
    start_postgres >"$run_dir/connection-string"
  fi)

  # name, role, HTTP port, silo port, gateway port
  free_port
  printf 'frontend\tfrontend\t%s\t-\t-\n' "$port" >"$processes"
  local http silo_port
  for i in $(seq 1 "$k"); do
    free_port; http=$port
    free_port; silo_port=$port
    free_port
    printf 'silo-%s\tsilo\t%s\t%s\t%s\n' "$i" "$http" "$silo_port" "$port" >>"$processes"
  done
  generate_certificates

  if [ -n "$owner_pid" ]; then
    setsid nohup "$script" watch "$owner_pid" --run-dir "$run_dir" >"$run_dir/watchdog.log" 2>&1 </dev/null &
    echo $! >"$run_dir/watchdog.pid"
  fi

  # Silo 1 alone first: it applies the schema migrations and creates the master key the others then read.
  local -a pids=() names=() ports=()
  while IFS=$'\t' read -r name role port silo gateway; do
    pid=$(launch "$name" "$role" "$port" "$silo" "$gateway")
    if [ "$name" = silo-1 ]; then
      wait_ready "$name" "$port" "$pid" || { cmd_stop; exit 1; }
    elif [ "$role" = silo ]; then
      pids+=("$pid") names+=("$name") ports+=("$port")
    fi
  done < <(awk -F'\t' '$2 == "silo"' "$processes")
  for i in "${!pids[@]}"; do
    wait_ready "${names[$i]}" "${ports[$i]}" "${pids[$i]}" || { cmd_stop; exit 1; }
  done
  IFS=$'\t' read -r name role port silo gateway < <(awk -F'\t' '$2 == "frontend"' "$processes")
  pid=$(launch "$name" "$role" "$port" "$silo" "$gateway")
  wait_ready "$name" "$port" "$pid" || { cmd_stop; exit 1; }
  if [ -f "$run_dir/cluster-tls/ca.crt" ]; then
    echo "Cluster of $k silos + front-end running with mutual TLS (CA $run_dir/cluster-tls/ca.crt); run directory $run_dir"
  else
    echo "Cluster of $k silos + front-end running; run directory $run_dir"
  fi
  [ ! -f "$run_dir/bootstrap-api-key" ] || echo "Bootstrap API key in $run_dir/bootstrap-api-key"
}

cmd_start_silo() {
  local n="$1" name role port silo gateway pid
  [ -f "$processes" ] || die "no cluster in $run_dir"
  IFS=$'\t' read -r name role port silo gateway < <(awk -F'\t' -v n="silo-$n" '$1 == n' "$processes") || die "no silo-$n in $run_dir"
  pid=$(cat "$run_dir/$name.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && is_ours "$pid" ViaSocket.Server.dll; then die "$name is running (pid $pid)"; fi
  mv -f "$run_dir/$name.log" "$run_dir/$name.$(date +%s).log" 2>/dev/null || true
  pid=$(launch "$name" "$role" "$port" "$silo" "$gateway")
  wait_ready "$name" "$port" "$pid"
}

# A crash at a moment the caller chose ahead, timed by this process, not by the caller: a harness that also hosts the
# provider would otherwise kill whenever it gets to run, which is when its provider answers too. Prints the kill time.
cmd_kill_silo() {
  local name="silo-$1" pid now wait_ms
  [ -f "$processes" ] || die "no cluster in $run_dir"
  pid=$(cat "$run_dir/$name.pid" 2>/dev/null || true)
  [ -n "$pid" ] && is_ours "$pid" ViaSocket.Server.dll || die "$name is not running"
  if [ -n "$kill_at" ]; then
    [[ "$kill_at" =~ ^[0-9]+$ ]] || usage
    now=$(date +%s%3N)
    wait_ms=$((kill_at - now))
    [ "$wait_ms" -le 0 ] || sleep "$(printf '%d.%03d' $((wait_ms / 1000)) $((wait_ms % 1000)))"
  fi
  now=$(date +%s%3N)
  kill -KILL "$pid"
  rm -f "$run_dir/$name.pid"
  echo "killed $name (pid $pid) at $now"
}

cmd_status() {
  [ -f "$processes" ] || die "no cluster in $run_dir"
  printf '%-10s %-9s %-8s %-6s %-6s %-8s %s\n' NAME ROLE PID HTTP SILO GATEWAY READY
  local name role port silo gateway pid ready
  while IFS=$'\t' read -r name role port silo gateway; do
    pid=$(cat "$run_dir/$name.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && is_ours "$pid" ViaSocket.Server.dll; then
      ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready" || true)
    else
      pid="-" ready="stopped"
    fi
    printf '%-10s %-9s %-8s %-6s %-6s %-8s %s\n' "$name" "$role" "$pid" "$port" "$silo" "$gateway" "$ready"
  done <"$processes"
}

cmd_stop() {
  local name pid deadline
  local -a pids=()
  # Front-end first, so it does not log a gateway loss for every silo going away.
  for name in frontend $(awk -F'\t' '$2 == "silo" { print $1 }' "$processes" 2>/dev/null); do
    pid=$(stop_process "$name")
    [ -z "$pid" ] || pids+=("$pid")
  done
  deadline=$((SECONDS + stop_timeout))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "pid $pid did not stop within ${stop_timeout}s; sending KILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  stop_postgres
  rm -rf "$run_dir/cluster-tls"
  pid=$(cat "$run_dir/watchdog.pid" 2>/dev/null || true)
  rm -f "$run_dir/watchdog.pid"
  if [ -n "$pid" ] && [ "$pid" != "$$" ] && is_ours "$pid" "cluster.sh watch"; then kill -TERM "$pid" 2>/dev/null || true; fi
  echo "Cluster in $run_dir stopped (${#pids[@]} processes)"
}

# The watchdog behind --owner-pid: stops the cluster once its owner is gone, however the owner ended.
cmd_watch() {
  local owner="$1"
  while kill -0 "$owner" 2>/dev/null; do sleep 2; done
  rm -f "$run_dir/watchdog.pid"
  [ ! -f "$processes" ] || cmd_stop
}

case "$command_name" in
  start) cmd_start "$count" ;;
  start-silo) cmd_start_silo "$count" ;;
  kill-silo) cmd_kill_silo "$count" ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  watch) cmd_watch "$count" ;;
  *) usage ;;
esac
