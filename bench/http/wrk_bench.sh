#!/usr/bin/env bash
# GET /v1/contacts/{id} on crmi versus nginx serving a static file of the same size, same machine,
# same run, same wrk settings. Prints req/s and p99 for both and their ratio (goal: crmi ≥ 0.5×).
# crmi runs its full request path: bearer token verification (cached), a policy decision, the
# advisor's row filter and field masks, and a durable audit record per request (group commit).
#
#   bench/http/wrk_bench.sh [DURATION_SECONDS=10] [CONNECTIONS=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
conns=${2:-64}
bin=build/release/crmi
work=$(mktemp -d /tmp/crmi-wrk-XXXXXX)
cleanup() {
  [ -n "${crmi_pid:-}" ] && kill -TERM "$crmi_pid" 2>/dev/null && wait "$crmi_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a port nothing listens on
  local p
  while true; do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

"$bin" demo --size small --data-dir "$work/data" >/dev/null
crmi_port=$(free_port)
"$bin" serve --listen "127.0.0.1:$crmi_port" --data-dir "$work/data" --access-log off \
  --app-log "$work/app.log" &
crmi_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$crmi_port/readyz" >/dev/null && break; sleep 0.1; done
token=$("$bin" token mint --data-dir "$work/data" --sub adv-001 --tenant maple-bank \
  --roles advisor --posture managed --ttl 1h 2>/dev/null)
auth="Authorization: Bearer $token"
id=$(curl -sf -H "$auth" "http://127.0.0.1:$crmi_port/v1/contacts?limit=1" |
  sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p')
url="http://127.0.0.1:$crmi_port/v1/contacts/$id"
curl -sf -H "$auth" "$url" > "$work/record.json"
size=$(stat -c %s "$work/record.json")

nginx_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www"  # nginx workers run as www-data
cp "$work/record.json" "$work/www/record.json"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nginx_port; root $work/www; default_type application/json; }
}
CONF
nginx -c "$work/nginx.conf"
sleep 0.3

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "payload: $size bytes (contact $id); wrk -t2 -c$conns -d${duration}s --latency"
run() {  # name url [header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency "$2")
  fi
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  printf '%-6s %10s req/s   p99 %8s   %s\n' "$1" "$rps" "$p99" "$errors" >&2
  echo "$rps"
}
crmi_rps=$(run crmi "$url" "$auth")
nginx_rps=$(run nginx "http://127.0.0.1:$nginx_port/record.json")
echo "ratio crmi/nginx: $(awk -v a="$crmi_rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a/b}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
audited=$("$bin" audit export --data-dir "$work/data" 2>/dev/null | grep -c '"rule":"advisor-book"' || true)
echo "audit records of the benchmark requests: $audited"
