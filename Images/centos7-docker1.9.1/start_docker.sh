#!/bin/sh
# Like the field report's start_docker.sh: the inner daemon in debug mode, in the background,
# born from the container's CMD (so it shares PID 1's cgroups), then idle forever.
# The report idled with an endless ping; these containers have no network, so sleep.
docker daemon --debug >/var/log/docker.log 2>&1 &
echo $! >/var/run/docker-daemon.pid
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
