# $1: a container's host PID (read by inspect before the wiring), $2: its engine ID (64 hex
# digits), $3: its name. Fails unless that PID still belongs to the container: the ID is in
# the process's cgroup paths (cgroup v1 and v2, cgroupfs or systemd driver: /docker/ID,
# docker-ID.scope; from a cgroup namespace, /../ID). A container that stopped meanwhile and
# whose PID another process got must never have its namespaces entered.
ownsPid() {
  cg=$(cat "/proc/$1/cgroup" 2>/dev/null) || cg=
  case "$cg" in
    *"$2"*) return 0 ;;
  esac
  echo "$3: its process $1 is gone or no longer in container $2 (it stopped or restarted since it was inspected); run up again" >&2
  return 1
}
