#!/usr/bin/env python3
"""The docker-py peer of dindlab's one-cell benchmark scenario (one-cell.yaml).

TRIALS trials, one after another, each doing what a dindlab trial does, the way a careful
Python script with docker-py would (the same steps as trial-cli.sh):

  1. containers.run(detach=True): the outer container with dindlab's create options and its
     own command starting the inner daemon with dindlab's flags;
  2. wait until the inner daemon answers: exec_run("docker version") every 0.1 s;
  3. load the inner image from the tar the outer image ships;
  4. docker run -d busybox inside, wait for it and read its logs, in one exec;
  5. remove the outer container with its volumes.

    trial-dockerpy.py TRIALS

Environment as for trial-cli.sh: DOCKER_HOST, OUTER_IMAGE, CAP_ADD, READY_TIMEOUT.
"""
import os
import sys
import time

import docker

# The outer container's own command, as dindlab's OuterScripts.commandStart writes it for a
# scenario without setup lines and the bookworm image's daemon (Docker 20.10).
START_SCRIPT = """mkdir -p /dindlab/run
if [ ! -e /dindlab/run/setup.failed ]; then 'dockerd' '--bridge=none' '--iptables=false' '--ip-forward=false' '--ip-masq=false' '--ip6tables=false' >/dindlab/run/daemon.log 2>&1 </dev/null & echo $! >/dindlab/run/daemon.pid; fi
touch /dindlab/run/setup.done
trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"""

LOAD_SCRIPT = "docker inspect busybox:latest >/dev/null 2>&1 || docker import /dindlab/images/busybox.tar busybox:latest >/dev/null"

INNER_SCRIPT = """id=$(docker run -d --net=none busybox sh -c "echo ok") || exit 125
rc=$(docker wait "$id") || exit 126
docker logs "$id"
exit "$rc\""""


def privilege_options():
    caps = [cap for cap in os.environ.get("CAP_ADD", "").split(",") if cap]
    if not caps:
        return {"privileged": True}
    return {
        "cap_add": caps,
        "security_opt": ["apparmor=unconfined", "seccomp=unconfined"],
        "device_cgroup_rules": ["a *:* rwm"],
    }


def trial(client, image, ready_timeout):
    """Runs one trial; returns None on success, else what failed."""
    outer = client.containers.run(
        image, ["sh", "-c", START_SCRIPT], detach=True, labels={"dindlab.bench": "dockerpy"},
        network_mode="none", tmpfs={"/var/lib/docker": "rw,exec,dev,suid,size=4g"},
        volumes={"/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"}}, **privilege_options())
    try:
        deadline = time.monotonic() + ready_timeout
        while outer.exec_run(["docker", "version"]).exit_code != 0:
            if time.monotonic() >= deadline:
                return "the inner daemon did not answer"
            time.sleep(0.1)
        loaded = outer.exec_run(["sh", "-c", LOAD_SCRIPT])
        if loaded.exit_code != 0:
            return "loading busybox: " + loaded.output.decode(errors="replace")
        inner = outer.exec_run(["sh", "-c", INNER_SCRIPT])
        output = inner.output.decode(errors="replace")
        if inner.exit_code != 0 or not output.startswith("ok"):
            return "inner run: " + output
        return None
    finally:
        outer.remove(force=True, v=True)


def main():
    trials = int(sys.argv[1])
    client = docker.from_env()
    image = os.environ.get("OUTER_IMAGE", "dindlab/outer:bookworm")
    ready_timeout = float(os.environ.get("READY_TIMEOUT", "60"))
    for number in range(1, trials + 1):
        began = time.monotonic()
        failure = trial(client, image, ready_timeout)
        print(f"trial {number} {'pass' if failure is None else 'fail (' + failure + ')'} {time.monotonic() - began:.3f} s", flush=True)
        if failure is not None:
            sys.exit(1)


if __name__ == "__main__":
    main()
