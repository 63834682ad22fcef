#!/usr/bin/env bash
# Two `ktx hub serve` nodes on one PostgreSQL database behind nginx, through the built binary:
# offices of two townships sync at once through nginx and alternately through each node; a
# node is killed (SIGKILL) in the middle of a large push and restarted; the other is stopped
# with SIGTERM in the middle of one (it must drain and exit 0). Every replica must end with
# the same totals, and the database must hold each PC's operations once each, without gaps.
#
# Usage: scripts/hub-nodes-test.sh .build/debug/ktx
# Uses KTX_TEST_POSTGRES/PGPASSWORD when set, else starts a throw-away cluster
# (scripts/pg-test-cluster.sh). Installs Debian's nginx when missing and root; without nginx
# the concurrent part goes to the nodes directly.
set -euo pipefail
ktx=$(realpath "${1:?usage: hub-nodes-test.sh path/to/ktx}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ktx-nodes.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null || true
    [ -n "${own_cluster:-}" ] && "$here/pg-test-cluster.sh" stop "$work/pg"
    [ -n "${KTX_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "hub-nodes-test: FAIL: $*" >&2; exit 1; }
check() { echo "hub-nodes-test: ok: $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -z "${KTX_TEST_POSTGRES:-}" ]; then
    own_cluster=1
    KTX_TEST_POSTGRES=$("$here/pg-test-cluster.sh" start "$work/pg" "$(free_port)")
    PGPASSWORD=$(cat "$work/pg/password")
fi
export PGPASSWORD
# A database of its own on that server.
db="ktx_nodes_$$"
psql "$KTX_TEST_POSTGRES" -q -c "CREATE DATABASE $db" >/dev/null
url="${KTX_TEST_POSTGRES%/*}/$db"
cd "$work"
export KTX_LANG=en LANG=C.UTF-8

"$ktx" hub token create --database "$url" --role county > county.tok 2>/dev/null
"$ktx" hub token create --database "$url" --role township --township 河西镇 > hx.tok 2>/dev/null
"$ktx" hub token create --database "$url" --role township --township 东街镇 > dj.tok 2>/dev/null

p1=$(free_port); p2=$(free_port)
start_node() { # name port; sets $started (a child of this shell, so `wait` reads its exit)
    "$ktx" hub serve --database "$url" --db "$work/$1.db" --port "$2" >> "$work/$1.log" 2>&1 &
    started=$!
    pids+=("$started")
}
healthy() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "http://127.0.0.1:$1/healthz" 2>/dev/null; }
wait_up() { for _ in $(seq 100); do healthy "$1" && return 0; sleep 0.1; done; fail "node on $1 did not start: $(cat "$work"/*.log)"; }
start_node node1 "$p1"; n1=$started
start_node node2 "$p2"; n2=$started
wait_up "$p1"; wait_up "$p2"
check "two nodes up on one database"

front="http://127.0.0.1:$p1"
if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || true
fi
if command -v nginx >/dev/null; then
    p3=$(free_port)
    mkdir -p "$work/nginx"
    cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    client_max_body_size 16m;
    upstream ktx { server 127.0.0.1:$p1; server 127.0.0.1:$p2; }
    server {
        listen 127.0.0.1:$p3;
        location / { proxy_pass http://ktx; proxy_set_header X-Forwarded-Proto http; proxy_next_upstream error timeout; }
    }
}
CONF
    nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    wait_up "$p3"
    front="http://127.0.0.1:$p3"
    check "nginx in front of both nodes"
fi

# Offices: three PCs of 河西镇, three of 东街镇, each with 40 activities recorded.
csv() { # rows title
    echo "kind,date,title,attendance"
    for i in $(seq "$1"); do echo "科技下乡,2023-0$((1 + i % 9))-1$((i % 10)),$2 第$i场,$((10 + i % 50))"; done
}
offices=()
for t in hx dj; do
    town=$([ $t = hx ] && echo 河西镇 || echo 东街镇)
    for n in 1 2 3; do
        o="$t$n"
        "$ktx" init --db "$o.db" --township "$town" >/dev/null 2>&1
        csv 40 "$o" > "$o.csv"
        "$ktx" import --db "$o.db" "$o.csv" >/dev/null 2>&1
        offices+=("$o")
    done
done
token_of() { case $1 in hx*) cat hx.tok ;; dj*) cat dj.tok ;; county) cat county.tok ;; esac; }
use_hub() { # office url: its one remote, `hub`, points there
    "$ktx" remote remove hub --db "$1.db" >/dev/null 2>&1 || true
    "$ktx" remote add hub "$2" --db "$1.db" --token-env KTX_TOKEN >/dev/null
}
sync_via() { # office url
    use_hub "$1" "$2"
    KTX_TOKEN=$(token_of "$1") "$ktx" sync --db "$1.db"
}

# All six at once through the front.
for o in "${offices[@]}"; do (sync_via "$o" "$front" > "$o.sync1" 2>&1) & done
wait_jobs() { local bad=0; for j in $(jobs -p); do [ "$j" = "${nginx_pid:-}" ] && continue; [[ " ${pids[*]} " == *" $j "* ]] && continue; wait "$j" || bad=1; done; return $bad; }
wait_jobs || fail "a concurrent sync failed: $(cat ./*.sync1)"
check "six offices synced at once through $( [ -n "${p3:-}" ] && echo nginx || echo a node)"

# A large push (3,000 activities) to node 1, killed in the middle, then node 1 restarted.
csv 3000 "大批" > big.csv
"$ktx" import --db hx1.db big.csv >/dev/null 2>&1
use_hub hx1 "http://127.0.0.1:$p1"
(KTX_TOKEN=$(cat hx.tok) "$ktx" sync --db hx1.db > killed.sync 2>&1 || true) &
syncer=$!
sleep 0.4
kill -9 "$n1"
wait "$n1" 2>/dev/null || true
wait "$syncer" || true
grep -q "POST /v1/ops" node1.log && check "node 1 was taking pushes when killed" || true
start_node node1 "$p1"; n1=$started
wait_up "$p1"
KTX_TOKEN=$(cat hx.tok) "$ktx" sync --db hx1.db > after-kill.sync 2>&1 || fail "sync after the restart failed: $(cat after-kill.sync)"
check "a node killed mid-push, restarted: the office's sync completes"

# A large push to node 2 stopped with SIGTERM in the middle: the node drains and exits 0.
csv 3000 "再批" > big2.csv
"$ktx" import --db dj1.db big2.csv >/dev/null 2>&1
use_hub dj1 "http://127.0.0.1:$p2"
(KTX_TOKEN=$(cat dj.tok) "$ktx" sync --db dj1.db > drained.sync 2>&1 || true) &
syncer=$!
# SIGTERM once node 2 has answered the first batch of the push, while the next is on its way.
before=$(grep -c "POST /v1/ops" node2.log || true)
for _ in $(seq 200); do [ "$(grep -c "POST /v1/ops" node2.log || true)" -gt "$before" ] && break; sleep 0.05; done
kill -TERM "$n2"
status=0; wait "$n2" || status=$?
[ "$status" = 0 ] || fail "node 2 exited $status on SIGTERM: $(tail -5 node2.log)"
wait "$syncer" || true
grep -q "POST /v1/ops 500" node2.log && fail "node 2 answered a push with 500 while draining"
check "SIGTERM mid-push: node 2 drained and exited 0 ($(grep -c "POST /v1/ops 200" node2.log) pushes answered 200; the office's sync: $(tail -1 drained.sync))"
use_hub dj1 "http://127.0.0.1:$p1"
KTX_TOKEN=$(cat dj.tok) "$ktx" sync --db dj1.db > after-term.sync 2>&1 || fail "sync through node 1 after node 2 stopped failed: $(cat after-term.sync)"
start_node node2 "$p2"; n2=$started
wait_up "$p2"

# Everyone syncs again, alternating nodes; then every replica holds the same totals.
"$ktx" init --db county.db --county >/dev/null 2>&1
for round in 1 2; do
    i=0
    for o in "${offices[@]}" county; do
        port=$([ $(((i + round) % 2)) = 0 ] && echo "$p1" || echo "$p2")
        use_hub "$o" "http://127.0.0.1:$port"
        KTX_TOKEN=$(token_of "$o") "$ktx" sync --db "$o.db" > "$o.sync-r$round" 2>&1 || fail "$o's sync failed: $(cat "$o.sync-r$round")"
        i=$((i + 1))
    done
done
"$ktx" totals --db county.db --by township --format json > county.totals
for o in "${offices[@]}"; do
    "$ktx" totals --db "$o.db" --by township --format json | cmp -s - county.totals || fail "$o's totals differ from the county's"
done
expected=$(( (40 * 6 + 6000) ))
python3 - "$expected" county.totals <<'PY' || fail "the county does not see every activity"
import json, sys
rows = json.load(open(sys.argv[2]))
count = sum(r.get("activities", r.get("活动数", 0)) for r in rows)
assert count == int(sys.argv[1]), (count, rows)
PY
check "all seven replicas hold the same totals ($expected activities)"
gaps=$(psql "$url" -At -c "SELECT count(*) FROM hub_replica r WHERE (SELECT count(*) FROM hub_op o WHERE o.replica = r.num) <> r.max_seq")
[ "$gaps" = 0 ] || fail "$gaps replicas have gaps or extra operations in the database"
check "the database holds each PC's operations once each, without gaps"
"$ktx" hub status --database "$url" --db "$work/status.db" > status.txt 2>&1 || fail "ktx hub status failed: $(cat status.txt)"
grep -q 河西镇 status.txt && grep -q 东街镇 status.txt || fail "ktx hub status lists no townships: $(cat status.txt)"
check "ktx hub status --database lists both townships"
echo "hub-nodes-test: all checks passed"
