#!/usr/bin/env python3
"""docker-py's API round trip: client.ping() COUNT times on one client (one pooled
connection), as a Python script would measure an engine.

    ping-dockerpy.py COUNT        (the engine from DOCKER_HOST)

Prints "COUNT round trips in MS ms" (the loop alone, after import and connect).
"""
import sys
import time

import docker

count = int(sys.argv[1])
client = docker.from_env()
started = time.perf_counter()
for _ in range(count):
    client.ping()
print(f"{count} round trips in {(time.perf_counter() - started) * 1000:.3f} ms")
