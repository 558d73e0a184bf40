#!/usr/bin/env python3
"""The docker-py peer of dindlab's one-cell benchmark scenario (one-cell.yaml).

TRIALS trials, one after another, each doing what a dindlab trial does, the way a Python
script with docker-py does it: one call per step (the same steps as trial-cli.sh).

  1. containers.run(detach=True): the outer container with dindlab's create options and its
     own command starting the inner daemon with dindlab's flags;
  2. wait until the inner daemon answers: exec_run("docker version") every 0.1 s;
  3. load the inner image from the tar the outer image ships;
  4. docker run -d busybox inside, docker wait for it, docker logs (dindlab's mode: d);
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
        loaded = outer.exec_run(["docker", "import", "/dindlab/images/busybox.tar", "busybox:latest"])
        if loaded.exit_code != 0:
            return "loading busybox: " + loaded.output.decode(errors="replace")
        run = outer.exec_run(["docker", "run", "-d", "--net=none", "busybox", "sh", "-c", "echo ok"])
        if run.exit_code != 0:
            return "docker run: " + run.output.decode(errors="replace")
        inner = run.output.decode().strip()
        waited = outer.exec_run(["docker", "wait", inner])
        if waited.exit_code != 0 or waited.output.decode().strip() != "0":
            return "inner exit status: " + waited.output.decode(errors="replace")
        logs = outer.exec_run(["docker", "logs", inner])
        if not logs.output.decode(errors="replace").startswith("ok"):
            return "inner output: " + logs.output.decode(errors="replace")
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
