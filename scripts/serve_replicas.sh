#!/usr/bin/env bash
# Several replicas of the app behind nginx on this machine, as deploy/nginx.conf describes.
#
#   bash scripts/serve_replicas.sh                        # 2 replicas on 8501-8502, nginx on 8080
#   REPLICAS=3 FIRST_PORT=8601 NGINX_PORT=9090 bash scripts/serve_replicas.sh
#
# Each replica is `make serve PORT=...` bound to 127.0.0.1; nginx runs in the foreground from a
# copy of deploy/nginx.conf with these ports. Ctrl-C stops nginx and every replica.
set -euo pipefail
cd "$(dirname "$0")/.."

REPLICAS=${REPLICAS:-2}
FIRST_PORT=${FIRST_PORT:-8501}
NGINX_PORT=${NGINX_PORT:-8080}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
  echo "nginx is not installed (Debian: sudo apt-get install nginx)" >&2
  exit 1
fi

work=$(mktemp -d -t aigrid-replicas-XXXXXX)
chmod 755 "$work"  # nginx's workers (user nobody) buffer large responses under this prefix
pids=()
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports=$(seq "$FIRST_PORT" $((FIRST_PORT + REPLICAS - 1)) | tr '\n' ' ')
for port in $ports; do
  # Its own session, so cleanup ends make, uv and streamlit together.
  STREAMLIT_SERVER_ADDRESS=127.0.0.1 setsid make --no-print-directory serve PORT="$port" \
    >"$work/replica-$port.log" 2>&1 &
  pids+=("$!")
done

# The template's `listen PORT;` line and its upstream `server 127.0.0.1:PORT ...;` lines.
awk -v ports="$ports" -v listen="$NGINX_PORT" '
  /^[ \t]*listen[ \t]+[0-9]+;/ { sub(/listen[ \t]+[0-9]+;/, "listen 127.0.0.1:" listen ";") }
  /^[ \t]*server[ \t]+127\.0\.0\.1:[0-9]+/ {
    if (!done) {
      n = split(ports, p, " ")
      for (i = 1; i <= n; i++) { line = $0; sub(/127\.0\.0\.1:[0-9]+/, "127.0.0.1:" p[i], line); print line }
      done = 1
    }
    next
  }
  { print }' deploy/nginx.conf >"$work/nginx.conf"

for port in $ports; do
  echo "waiting for the replica on 127.0.0.1:$port (log: $work/replica-$port.log)"
  python3 - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/_stcore/health"
for _ in range(300):  # 60 s: a first `make serve` may still be creating .venv
    try:
        if urllib.request.urlopen(url, timeout=2).read() == b"ok":
            sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"{url} did not answer")
PY
done

echo "nginx on http://127.0.0.1:$NGINX_PORT -> replicas on $ports(Ctrl-C stops all)"
"$NGINX" -e stderr -p "$work" -c "$work/nginx.conf" \
  -g "daemon off; pid $work/nginx.pid; error_log stderr;" &
nginx_pid=$!
wait "$nginx_pid"  # interruptible: INT or TERM runs the traps at once
