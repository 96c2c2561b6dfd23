#!/usr/bin/env bash
# Compares the runtime with nginx (Debian package) as an mTLS-terminating proxy in front of one
# local backend, on this machine, with the same certificates and the same load tool
# (runtime/examples/load.rs): keep-alive requests/s, full handshakes/s, p50/p99. nginx runs
# with access_log off, so the runtime runs with --access-log off (RUNTIME_FLAGS overrides).
# Everything listens on 127.0.0.1; every process it starts is stopped on exit.
#
#   runtime/bench/compare-nginx.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-5}"
command -v nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 2; }

cargo build --release -p gatehouse-runtime --bin gatehouse-runtime --example load >/dev/null
bin=target/release/gatehouse-runtime
load=target/release/examples/load

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

# PKI: server CA → app.contoso.com; client CA → client (EKU clientAuth).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=bench-server-ca \
  -keyout server-ca.key -out server-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=app.contoso.com \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:app.contoso.com\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial -days 3650 \
  -extfile server.ext -out server.crt 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=bench-client-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout client-ca.key -out client-ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-client \
  -keyout client.key -out client.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial -days 3650 \
  -extfile client.ext -out client.crt 2>/dev/null
# nginx wants PKCS#8 or traditional; the runtime reads both.

backend=18080; nginx_port=18443; runtime_port=19443
mkdir -p nginx/logs nginx/tmp
cat > nginx/nginx.conf <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  client_max_body_size 100m;
  upstream backend { server 127.0.0.1:$backend; keepalive 64; }
  server { listen 127.0.0.1:$backend; location / { client_max_body_size 100m; proxy_request_buffering off; return 200 "ok\n"; } }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    server_name app.contoso.com;
    ssl_certificate $work/server.crt;
    ssl_certificate_key $work/server.key;
    ssl_client_certificate $work/client-ca.pem;
    ssl_verify_client on;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-ARR-ClientCert \$ssl_client_escaped_cert;
      proxy_request_buffering off;
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)

cat > runtime.json <<JSON
{
  "format_version": 1,
  "application_gateways": { "bench": {
    "listeners": { "public": { "bind": "127.0.0.1:$runtime_port", "host_names": ["app.contoso.com"],
      "certificate": { "cert_file": "server.crt", "key_file": "server.key" }, "ssl_profile": "mtls" } },
    "ssl_profiles": { "mtls": { "trusted_client_ca_files": ["client-ca.pem"], "mode": "strict" } },
    "routing_rules": { "r": { "priority": 1, "listener": "public",
      "default_target": { "backend": { "url": "http://127.0.0.1:$backend" } },
      "request_headers": [ { "header": "X-ARR-ClientCert", "value": "{var_client_certificate}" } ] } } } }
}
JSON
"$OLDPWD/$bin" runtime.json --log-format json ${RUNTIME_FLAGS:---access-log off} 2>runtime.log & pids+=($!)

# Readiness: both ports accept connections.
for port in $nginx_port $runtime_port; do
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done

run() { "$OLDPWD/$load" --addr "127.0.0.1:$1" --host app.contoso.com --cacert server-ca.pem \
          --cert client.crt --key client.key --seconds "$secs" "${@:2}"; }
for scenario in "keepalive:--conns 32" "handshakes:--conns 16 --new-conn"; do
  name="${scenario%%:*}"; flags="${scenario#*:}"
  # shellcheck disable=SC2086
  echo "$name nginx   $(run $nginx_port $flags)"
  # shellcheck disable=SC2086
  echo "$name runtime $(run $runtime_port $flags)"
done
