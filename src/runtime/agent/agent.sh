# The agent loop; $1-$3: the apply, BGP wait and status scripts. A request is a line
# "VERB ID NBYTES" and NBYTES of body (apply, put: tar; ready: the wait loop's arguments,
# its answer the addresses and the loop's last `show protocols all`, as the status's); the
# answer a line "egress-lab-done ID RC NBYTES" and NBYTES of the script's output. `read`
# takes one byte at a time from a pipe and `head -c` reads no further than asked, so
# nothing of the next request is eaten. An unknown verb or EOF ends the loop.
# `lock`/`unlock`: the lab's change lock (runtime/lab/lab-lock.ts), an flock on fd 8 that
# this loop holds from `lock` to `unlock` or its end (its process gone: the kernel lets go).
# `lock`'s body (one line) names the taker, kept in lab.owner by builtins (a fork less on
# a toggle's path); it waits up to 1 s, then answers 45 and who holds it. A lab.owner found
# on taking it names a holder that never unlocked (ended mid-change, or asked to keep it):
# answered, so the taker re-applies everything.
A=$1 B=$2 S=$3
D=/run/egress-lab
mkdir -p "$D"
while IFS=' ' read -r verb id n; do
  head -c "$n" > "$D/agent-$$.in"
  case "$verb" in
    apply) sh -c "$A" egress-lab-apply < "$D/agent-$$.in" > "$D/agent-$$.out" 2>&1 8>&- ;;
    status) sh -c "$S" < /dev/null > "$D/agent-$$.out" 2>&1 ;;
    put) tar -x -C / -f "$D/agent-$$.in" > "$D/agent-$$.out" 2>&1 ;;
    get) f=$(cat "$D/agent-$$.in"); if [ -f "$f" ]; then cat -- "$f"; else (exit 44); fi > "$D/agent-$$.out" 2>&1 ;;
    lock)
      {
        exec 8>>"$D/lab.lock"
        if flock -w 1 8; then
          if [ -s "$D/lab.owner" ]; then cat "$D/lab.owner"; fi
          read -r owner < "$D/agent-$$.in"
          printf '%s\n' "$owner" > "$D/lab.owner"
        else
          exec 8>&-
          cat "$D/lab.owner" 2>/dev/null
          (exit 45)
        fi
      } > "$D/agent-$$.out" 2>&1 ;;
    unlock) { read -r how < "$D/agent-$$.in"; [ "$how" = keep ] || rm -f "$D/lab.owner"; exec 8>&-; } > "$D/agent-$$.out" 2>&1 ;;
    ready)
      # shellcheck disable=SC2046 # the body is the wait loop's arguments, split into words
      { sh -c "$S" egress-lab-status nobird; sh -c "$B" egress-lab-bgp $(cat "$D/agent-$$.in"); } < /dev/null > "$D/agent-$$.out" 2>&1 ;;
    *) break ;;
  esac
  rc=$?
  printf 'egress-lab-done %s %s %s\n' "$id" "$rc" "$(wc -c < "$D/agent-$$.out")"
  cat "$D/agent-$$.out"
done
rm -f "$D/agent-$$.in" "$D/agent-$$.out"
