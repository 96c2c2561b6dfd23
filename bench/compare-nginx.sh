#!/usr/bin/env bash
# Runs the gatehouse runtime and nginx (the Debian package) as mTLS-terminating proxies in front
# of the same local backend, in one run, with the same certificates and the same load tool
# (oha, with --cert/--key/--cacert), and prints one table:
#
#   keepalive   keep-alive mTLS requests/s through one hop (32 connections)
#   handshakes  full mTLS handshakes/s: a new connection per request, no resumption on either
#               side (nginx: ssl_session_cache off, ssl_session_tickets off; runtime:
#               runtime.session_resumption = false)
#   latency     p50/p99 at a fixed 2,000 requests/s on 16 keep-alive connections, and the
#               backend alone at the same rate: what the proxy adds
#   post10m     10 MB POST bodies with the client certificate, 4 connections
#
# For every scenario it also reads the proxy's own CPU time from /proc (proxy µs per request),
# which the load generator sharing the machine does not distort, and what oha and the backend
# cost per request. Unpinned, it prints from those the requests/s ratio a zero-cost proxy would
# reach on the shared cores. It ends with the hypervisor's steal time over the runs.
#
# Both proxies get the same number of workers (WORKERS, default: all cores). The backend is a
# separate process that reads each request body to its end and answers 200. Everything listens on 127.0.0.1;
# every process the script starts is stopped on exit.
#
#   bench/compare-nginx.sh [SECONDS]        # default 10 s per run
#   PIN=1 bench/compare-nginx.sh            # proxies on CPU 0, oha and the backend on CPU 1
#   PROXY_CPUS=0-1 LOAD_CPUS=2-7 bench/compare-nginx.sh   # any split (taskset -c lists); each
#                                           # proxy gets one worker per proxy CPU
#   SCENARIOS="handshakes" bench/compare-nginx.sh 5   # some of the scenarios only
#
# Needs nginx (apt-get install nginx-light), openssl and python3; builds the runtime in release
# mode and installs oha into target/bench-tools if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
secs="${1:-10}"
workers="${WORKERS:-$(nproc)}"
command -v nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 2; }

cargo build --release --locked -p gatehouse-runtime --bin gatehouse-runtime --example bench_backend >/dev/null
runtime_bin="$root/target/release/gatehouse-runtime"
backend_bin="$root/target/release/examples/bench_backend"
oha="$(command -v oha || true)"
if [ -z "$oha" ]; then
  oha="$root/target/bench-tools/bin/oha"
  [ -x "$oha" ] || cargo install --locked oha --version 1.16.0 --root "$root/target/bench-tools" >/dev/null
fi

proxy_cpus=(); load_cpus=()
if [ "${PIN:-0}" = 1 ]; then
  PROXY_CPUS=0 LOAD_CPUS=1
fi
pinned=0
if [ -n "${PROXY_CPUS:-}" ] || [ -n "${LOAD_CPUS:-}" ]; then
  [ -n "${PROXY_CPUS:-}" ] && [ -n "${LOAD_CPUS:-}" ] || { echo "set both PROXY_CPUS and LOAD_CPUS" >&2; exit 2; }
  export PROXY_CPUS LOAD_CPUS
  proxy_cpus=(taskset -c "$PROXY_CPUS"); load_cpus=(taskset -c "$LOAD_CPUS"); pinned=1
  workers="${WORKERS:-$(taskset -c "$PROXY_CPUS" nproc)}"
fi

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

# PKI, ECDSA P-256 throughout: server CA → app.contoso.com; client CA → client (clientAuth).
ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@" 2>/dev/null; }
ec -x509 -days 3650 -subj /CN=bench-server-ca -keyout server-ca.key -out server-ca.pem
ec -subj /CN=app.contoso.com -keyout server.key -out server.csr
printf 'subjectAltName=DNS:app.contoso.com\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial -days 3650 \
  -extfile server.ext -out server.crt 2>/dev/null
ec -x509 -days 3650 -subj /CN=bench-client-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign -keyout client-ca.key -out client-ca.pem
ec -subj /CN=bench-client -keyout client.key -out client.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial -days 3650 \
  -extfile client.ext -out client.crt 2>/dev/null
head -c 10485760 /dev/zero > body-10m.bin

backend=18080; nginx_port=18443; runtime_port=19443
nginx_conf() { # NAME WORKERS SERVER-BLOCKS
  mkdir -p "$1/logs" "$1/tmp"
  cat > "$1/nginx.conf" <<CONF
worker_processes $2;
pid $work/$1/nginx.pid;
error_log $work/$1/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/$1/tmp/body;
  proxy_temp_path $work/$1/tmp/proxy;
  fastcgi_temp_path $work/$1/tmp/fastcgi;
  uwsgi_temp_path $work/$1/tmp/uwsgi;
  scgi_temp_path $work/$1/tmp/scgi;
  client_max_body_size 100m;
  keepalive_requests 1000000;
  $3
}
CONF
}

# The backend reads each body to its end, then answers 200 (runtime/examples/bench_backend.rs).
"${load_cpus[@]}" "$backend_bin" "127.0.0.1:$backend" & backend_pid=$!
pids+=($backend_pid)

nginx_conf proxy "$workers" "upstream backend { server 127.0.0.1:$backend; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    server_name app.contoso.com;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $work/server.crt;
    ssl_certificate_key $work/server.key;
    ssl_client_certificate $work/client-ca.pem;
    ssl_verify_client on;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header X-ARR-ClientCert \$ssl_client_escaped_cert;
      proxy_request_buffering off;
    }
  }"
"${proxy_cpus[@]}" nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" -g 'daemon off;' & nginx_pid=$!
pids+=($nginx_pid)

cat > runtime.json <<JSON
{
  "format_version": 1,
  "runtime": { "session_resumption": false },
  "application_gateways": { "bench": {
    "listeners": { "public": { "bind": "127.0.0.1:$runtime_port", "host_names": ["app.contoso.com"],
      "certificate": { "cert_file": "server.crt", "key_file": "server.key" }, "ssl_profile": "mtls" } },
    "ssl_profiles": { "mtls": { "trusted_client_ca_files": ["client-ca.pem"], "mode": "strict" } },
    "routing_rules": { "r": { "priority": 1, "listener": "public",
      "default_target": { "backend": { "url": "http://127.0.0.1:$backend" } },
      "request_headers": [ { "header": "X-ARR-ClientCert", "value": "{var_client_certificate}" } ] } } } }
}
JSON
"${proxy_cpus[@]}" "$runtime_bin" runtime.json --threads "$workers" --access-log off 2>runtime.log &
runtime_pid=$!
pids+=($runtime_pid)

for port in $backend $nginx_port $runtime_port; do
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done

# CPU ticks of a process and its children (nginx: master and workers).
ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    for task in /proc/"$p"/task/*; do
      read -r -a f < "$task/stat" || continue
      total=$((total + f[13] + f[14]))
    done
  done
  echo "$total"
}

# run NAME PORT PID OHA-FLAGS... → one JSON line in results.jsonl
run() {
  local name=$1 port=$2 pid=$3; shift 3
  local before after url scheme=https body_bytes=0
  [[ " $* " == *" -D "* ]] && body_bytes=$(stat -c %s body-10m.bin)
  [ "$port" = "$backend" ] && scheme=http
  url="$scheme://app.contoso.com:$port/"
  before=$(ticks "$pid"); backend_before=$(ticks "$backend_pid")
  # bash's `time` gives oha's own user + system CPU seconds.
  local TIMEFORMAT='%U %S'
  { time "${load_cpus[@]}" "$oha" --no-tui --output-format json \
      --connect-to "app.contoso.com:$port:127.0.0.1:$port" \
      --cacert server-ca.pem --cert client.crt --key client.key "$@" "$url" > out.json; } 2> oha-cpu.txt
  after=$(ticks "$pid"); backend_after=$(ticks "$backend_pid")
  python3 - "$name" "$((after - before))" "$(getconf CLK_TCK)" "$body_bytes" \
    "$((backend_after - backend_before))" "$(tail -n 1 oha-cpu.txt)" >> results.jsonl <<'PY'
import json, sys
name, ticks, hz, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
backend_ticks, oha_secs = int(sys.argv[5]), sum(map(float, sys.argv[6].split()))
r = json.load(open("out.json"))
ok = sum(n for code, n in r.get("statusCodeDistribution", {}).items() if code == "200")
bad = sum(n for code, n in r.get("statusCodeDistribution", {}).items() if code != "200")
# Requests still running at the -z deadline are cut off by oha itself, not failures.
errors = sum(n for e, n in r.get("errorDistribution", {}).items() if e != "aborted due to deadline")
secs = r["summary"]["total"]
print(json.dumps({"name": name, "ok": ok, "bad": bad, "errors": errors,
                  "rps": ok / secs if secs else 0,
                  "p50_ms": (r["latencyPercentiles"].get("p50") or 0) * 1000,
                  "p99_ms": (r["latencyPercentiles"].get("p99") or 0) * 1000,
                  "cpu_us_per_req": ticks / hz * 1e6 / ok if ok else 0,
                  # What else the run cost the machine: the load generator and the backend.
                  "others_us_per_req": (oha_secs + backend_ticks / hz) * 1e6 / ok if ok else 0,
                  "mb_per_s": ok * body / secs / 1e6 if secs else 0}))
PY
}

flags() {
  case $1 in
    keepalive) echo "-c 32" ;;
    handshakes) echo "-c 16 --disable-keepalive" ;;
    latency) echo "-c 16 -q 2000" ;;
    post10m) echo "-c 4 -m POST -D body-10m.bin" ;;
  esac
}
# The cpu line of /proc/stat: user nice system idle iowait irq softirq steal, in ticks.
read -r -a stat_before < /proc/stat
for scenario in ${SCENARIOS:-keepalive handshakes latency post10m}; do
  # shellcheck disable=SC2046
  run "$scenario nginx" $nginx_port $nginx_pid -z "${secs}s" $(flags "$scenario")
  # shellcheck disable=SC2046
  run "$scenario runtime" $runtime_port $runtime_pid -z "${secs}s" $(flags "$scenario")
  if [ "$scenario" = latency ]; then
    # shellcheck disable=SC2046
    run "latency backend" $backend $backend_pid -z "${secs}s" $(flags latency)
  fi
done

read -r -a stat_after < /proc/stat
python3 - "$secs" "$workers" "$pinned" "${stat_before[*]:1:8}" "${stat_after[*]:1:8}" <<'PY'
import json, sys, platform, os
secs, workers, pin = sys.argv[1:4]
before, after = ([int(v) for v in a.split()] for a in sys.argv[4:6])
spent = [b - a for a, b in zip(before, after)]
steal = spent[7] / sum(spent) if sum(spent) else 0
rows = {r["name"]: r for r in map(json.loads, open("results.jsonl"))}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
pinning = f"proxies on CPUs {os.environ['PROXY_CPUS']}, oha and backend on CPUs {os.environ['LOAD_CPUS']}" if pin == "1" else "not pinned"
print(f"# {cpu}, {os.cpu_count()} cores; {secs} s per run; {workers} worker(s) per proxy; {pinning}")
# Time the hypervisor gave to other guests: above a few percent, no figure here is steady.
print(f"# steal time during the runs: {steal:.0%} of all CPU time")
print("| scenario | nginx | runtime | runtime / nginx |")
print("|---|---|---|---|")
def line(label, key, fmt):
    if f"{label} nginx" not in rows:
        return
    n, r = rows[f"{label} nginx"], rows[f"{label} runtime"]
    ratio = r[key] / n[key] if n[key] else float("nan")
    print(f"| {label} {key} | {fmt(n[key])} | {fmt(r[key])} | {ratio:.2f}× |")
num = lambda v: f"{v:,.0f}"
ms = lambda v: f"{v:.3f} ms"
us = lambda v: f"{v:.0f} µs"
for s in ["keepalive", "handshakes"]:
    line(s, "rps", num); line(s, "cpu_us_per_req", us); line(s, "others_us_per_req", us)
    line(s, "p99_ms", ms)
line("latency", "p50_ms", ms); line("latency", "p99_ms", ms)
line("post10m", "mb_per_s", lambda v: f"{v:,.0f} MB/s"); line("post10m", "cpu_us_per_req", us)
b = rows.get("latency backend")
for proxy in ["nginx", "runtime"] if b else []:
    r = rows[f"latency {proxy}"]
    print(f"added by {proxy} at 2,000 req/s: p50 {r['p50_ms'] - b['p50_ms']:+.3f} ms, p99 {r['p99_ms'] - b['p99_ms']:+.3f} ms (backend alone: p99 {b['p99_ms']:.3f} ms)")
# On shared cores every request costs proxy + others, so requests/s cannot differ by more than
# the ratio of those sums, however cheap one proxy is. A proxy costing nothing would reach:
for s in ["keepalive", "handshakes"] if pin != "1" else []:
    if f"{s} nginx" in rows:
        n, r = rows[f"{s} nginx"], rows[f"{s} runtime"]
        if r["others_us_per_req"]:
            ceiling = (n["cpu_us_per_req"] + n["others_us_per_req"]) / r["others_us_per_req"]
            capacity = n["cpu_us_per_req"] / r["cpu_us_per_req"] if r["cpu_us_per_req"] else float("nan")
            print(f"{s}: proxy capacity ratio (nginx CPU / runtime CPU per request) {capacity:.2f}×; "
                  f"requests/s ratio a zero-cost proxy would reach on these shared cores {ceiling:.2f}×")
fails = {k: (v["bad"], v["errors"]) for k, v in rows.items() if v["bad"] or v["errors"]}
print("non-200 or failed requests:", fails or "none")
PY
