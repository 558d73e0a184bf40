#!/usr/bin/env bash
# The floor of each trial phase (issue #17): the bare engine operation of each phase of the
# one-cell trial, timed alone with curl on the engine's socket, beside dindlab's own phase
# medians from a `dindlab run` of the same trials on the same engine, alternating.
#
# Usage: benchmarks/phase-floor.sh SOCKET [TRIALS] [ROUNDS]
#   SOCKET  the engine's Unix socket (a private engine: dindlab engine up), with
#           dindlab/outer:bookworm built on it; this machine must be the engine's host (the
#           inner daemon's socket is reached through /proc/<pid>/root, as dindlab does).
#   TRIALS  trials per round (default 10); ROUNDS rounds of floor then dindlab (default 2).
# Needs curl, python3 and a release build (.build/release/dindlab). Prints one table: per
# phase, the floor's median and dindlab's median over every trial of every round.
set -euo pipefail
sock=$1; trials=${2:-10}; rounds=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
dindlab=$root/.build/release/dindlab
image=dindlab/outer:bookworm
work=$(mktemp -d /tmp/dl-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT

api() { curl -sf --unix-socket "$sock" "$@"; }
now() { date +%s.%N; }

# One trial's bare operations; appends "phase seconds" lines to $work/floor.txt.
floor_trial() {
  local t0 t1 t2 t3 t4 t5a t5 t6 id pid inner exec started
  # The outer container as dindlab asks for it: the privilege emulation, a tmpfs data root,
  # the host's cgroups, and network disabled (no network sandbox, no prestart hook).
  local body='{"Image":"'$image'","NetworkDisabled":true,"Cmd":["sh","-c","mkfifo /tmp/gate && read go </tmp/gate; dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false >/var/log/dockerd.log 2>&1 & exec sleep 100000"],
    "HostConfig":{"CapAdd":["ALL"],"CapDrop":["SYS_RESOURCE"],"SecurityOpt":["seccomp=unconfined","apparmor=unconfined"],
    "DeviceCgroupRules":["a *:* rwm"],"Tmpfs":{"/var/lib/docker":""},"Binds":["/sys/fs/cgroup:/sys/fs/cgroup:rw"],"NetworkMode":"none"},
    "Labels":{"dindlab.floor":"1"}}'
  # No python in the timed parts: ids are cut out of the JSON with bash.
  local reply
  t0=$(now)
  reply=$(api -X POST -H 'Content-Type: application/json' -d "$body" "http://d/containers/create")
  id=${reply#*\"Id\":\"}; id=${id%%\"*}
  api -X POST "http://d/containers/$id/start" >/dev/null
  reply=$(api "http://d/containers/$id/json")
  pid=${reply#*\"Pid\":}; pid=${pid%%,*}
  t1=$(now)
  # Like dindlab's command (which waits at its seed gate), the daemon starts once the start
  # call is done, not while the engine still finishes the start.
  until [ -p "/proc/$pid/root/tmp/gate" ]; do sleep 0.001; done
  echo go >"/proc/$pid/root/tmp/gate"
  inner=/proc/$pid/root/run/docker.sock
  until [ -S "$inner" ] && curl -sf --max-time 5 --unix-socket "$inner" http://d/_ping >/dev/null; do sleep 0.002; done
  t2=$(now)
  curl -sf --unix-socket "$inner" -X POST -H 'Content-Type: application/x-tar' --data-binary @"/proc/$pid/root/dindlab/images/busybox.tar" \
    "http://d/images/create?fromSrc=-&repo=busybox&tag=latest" >/dev/null
  t3=$(now)
  reply=$(api -X POST -H 'Content-Type: application/json' \
    -d '{"AttachStdout":true,"AttachStderr":true,"Cmd":["docker","run","-d","--net=none","busybox","sh","-c","echo ok"]}' \
    "http://d/containers/$id/exec")
  exec=${reply#*\"Id\":\"}; exec=${exec%%\"*}
  api -X POST -H 'Content-Type: application/json' -d '{"Detach":false,"Tty":false}' "http://d/exec/$exec/start" >"$work/exec.out"
  api "http://d/exec/$exec/json" >/dev/null
  t4=$(now)
  # Untimed: the inner container's id from Docker's multiplexed stream (8-byte frame headers).
  started=$(python3 -c '
import struct, sys
data, out = open(sys.argv[1], "rb").read(), b""
while len(data) >= 8:
    stream, size = data[0], struct.unpack(">I", data[4:8])[0]
    if stream == 1: out += data[8:8 + size]
    data = data[8 + size:]
print(out.decode().split()[-1])' "$work/exec.out")
  t5a=$(now)
  curl -sf --unix-socket "$inner" -X POST "http://d/containers/$started/wait" >/dev/null
  curl -sf --unix-socket "$inner" "http://d/containers/$started/logs?stdout=1&stderr=1" >/dev/null
  t5=$(now)
  api -X DELETE "http://d/containers/$id?force=1&v=1" >/dev/null
  t6=$(now)
  python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5a" "$t5" "$t6" >>"$work/floor.txt" <<'EOF'
import sys
t0, t1, t2, t3, t4, t5a, t5, t6 = [float(x) for x in sys.argv[1:]]
print("outer", t1 - t0); print("daemon", t2 - t1); print("prepare", t3 - t2)
print("inner", (t4 - t3) + (t5 - t5a)); print("cleanup", t6 - t5)
EOF
}

for round in $(seq 1 "$rounds"); do
  for _ in $(seq 1 "$trials"); do floor_trial; done
  "$dindlab" run "$root/benchmarks/one-cell.yaml" --engine "unix://$sock" --repeat "$trials" --jobs 1 \
    --out "$work/runs" >/dev/null 2>&1 || true
  echo "round $round of $rounds done" >&2
done

python3 - "$work" <<'EOF'
import glob, json, statistics, sys
work = sys.argv[1]
floor = {}
for line in open(f"{work}/floor.txt"):
    phase, seconds = line.split()
    floor.setdefault(phase, []).append(float(seconds))
ours = {}
for path in glob.glob(f"{work}/runs/*/trials.jsonl"):
    for line in open(path):
        record = json.loads(line)
        if record.get("sequence") == 0:
            continue  # a cell's first trial imports the inner image; the others start from its seed
        for phase, seconds in record.get("phaseDurations", {}).items():
            ours.setdefault(phase, []).append(seconds)
print("| phase | floor (curl, median) | dindlab (median) | n floor / dindlab |")
print("| --- | --- | --- | --- |")
for phase in ["outer", "daemon", "prepare", "inner", "cleanup"]:
    f = floor.get(phase, []); o = ours.get(phase, [])
    cell = lambda v: f"{statistics.median(v):.3f} s" if v else "-"
    print(f"| {phase} | {cell(f)} | {cell(o)} | {len(f)} / {len(o)} |")
EOF
