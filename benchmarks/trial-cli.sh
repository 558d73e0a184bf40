#!/usr/bin/env bash
# The docker CLI peer of dindlab's one-cell benchmark scenario (one-cell.yaml): TRIALS trials,
# one after another, each doing what a dindlab trial does, the way a shell script around the
# docker CLI does it: one docker command per step.
#
#   1. docker run -d: the outer container, with dindlab's create options (network none, the
#      inner /var/lib/docker on a tmpfs mounted exec, /sys/fs/cgroup bound writable, and
#      privileged mode or dindlab's emulation of it), its own command starting the inner
#      daemon with dindlab's flags (Sources/DindLabRunner/Trial/OuterScripts.swift, commandStart);
#   2. wait until the inner daemon answers: `docker exec OUTER docker version` every 0.1 s;
#   3. load the inner image from the tar the outer image ships (dindlab's prepare phase);
#   4. docker run -d busybox inside, docker wait for it, docker logs (dindlab's mode: d);
#   5. docker rm -f -v the outer container.
#
#   trial-cli.sh TRIALS
#
# Environment: DOCKER_HOST (the engine), OUTER_IMAGE (default dindlab/outer:bookworm),
# CAP_ADD (comma-separated capabilities: dindlab's privileged emulation for engines that
# refuse --privileged; empty means --privileged), READY_TIMEOUT (seconds, default 60).
# Prints one line per trial ("trial N pass 1.234 s") and exits 1 at the first failure.
set -euo pipefail

trials=${1:?usage: trial-cli.sh TRIALS}
image=${OUTER_IMAGE:-dindlab/outer:bookworm}
ready_timeout=${READY_TIMEOUT:-60}

# The outer container's own command, as dindlab's OuterScripts.commandStart writes it for
# a scenario without setup lines and the bookworm image's daemon (Docker 20.10).
read -r -d '' start_script <<'SCRIPT' || true
mkdir -p /dindlab/run
if [ ! -e /dindlab/run/setup.failed ]; then 'dockerd' '--bridge=none' '--iptables=false' '--ip-forward=false' '--ip-masq=false' '--ip6tables=false' >/dindlab/run/daemon.log 2>&1 </dev/null & echo $! >/dindlab/run/daemon.pid; fi
touch /dindlab/run/setup.done
trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done
SCRIPT

privilege=(--privileged)
if [ -n "${CAP_ADD:-}" ]; then
    privilege=(--security-opt apparmor=unconfined --security-opt seccomp=unconfined --device-cgroup-rule 'a *:* rwm')
    IFS=, read -r -a caps <<<"$CAP_ADD"
    for cap in "${caps[@]}"; do privilege+=(--cap-add "$cap"); done
fi

now() { date +%s.%N; }

for trial in $(seq 1 "$trials"); do
    began=$(now)
    outer=$(docker run -d --label dindlab.bench=cli --network none \
        --tmpfs /var/lib/docker:rw,exec,dev,suid,size=4g -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
        "${privilege[@]}" "$image" sh -c "$start_script")
    status=pass
    deadline=$(( $(date +%s) + ready_timeout ))
    until docker exec "$outer" docker version >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then status="fail (the inner daemon did not answer)"; break; fi
        sleep 0.1
    done
    if [ "$status" = pass ] && ! docker exec "$outer" docker import /dindlab/images/busybox.tar busybox:latest >/dev/null; then
        status="fail (loading busybox)"
    fi
    if [ "$status" = pass ]; then
        if ! inner=$(docker exec "$outer" docker run -d --net=none busybox sh -c 'echo ok'); then
            status="fail (docker run)"
        elif ! rc=$(docker exec "$outer" docker wait "$inner") || [ "$rc" != 0 ]; then
            status="fail (inner exit status ${rc:-?})"
        elif ! output=$(docker exec "$outer" docker logs "$inner" 2>&1) || [[ "$output" != ok* ]]; then
            status="fail (inner output: $output)"
        fi
    fi
    docker rm -f -v "$outer" >/dev/null
    echo "trial $trial $status $(awk -v end="$(now)" -v began="$began" 'BEGIN { printf "%.3f", end - began }') s"
    [ "$status" = pass ] || exit 1
done
