# $1: a new container's root (/proc/PID/root), $2: its name; stdin: its BIRD config, base64.
# Waits for BIRD's control socket (BIRD may still be starting), puts the config in place,
# enables every session. BIRD 2 opens its socket before it reads its config (sysdep/unix/main.c:
# cli_init_unix, then read_config), so BIRD may be reading it right now: it is replaced by a
# rename, never rewritten in place (a truncated file read at that moment is "No protocol is
# specified" and BIRD exits: the intermittent `up` failure seen under load).
sessionsOn() {
  i=0
  until [ -S "$1/run/bird/bird.ctl" ]; do
    i=$((i + 1))
    [ "$i" -le 2000 ] || { echo "$2: BIRD did not start within 10 s" >&2; return 1; }
    sleep 0.005
  done
  base64 -d > "$1/etc/bird/bird.conf.new" || return 1
  mv -f "$1/etc/bird/bird.conf.new" "$1/etc/bird/bird.conf" || return 1
  birdc -s "$1/run/bird/bird.ctl" enable all > /dev/null || { echo "$2: birdc enable all failed" >&2; return 1; }
}
