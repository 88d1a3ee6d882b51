// Traffic generators inside a pod, and the parsing of what they print. Pure.
//
// Two generators:
// - one flow (ICMP, the default): `ping -n -O -i IV [-c N] -W 1 DEST`, one ICMP id for the run
//   (a single conntrack entry, as a user's ping). Lines: "64 bytes from …: icmp_seq=N …",
//   "no answer yet for icmp_seq=N" (-O), "From … icmp_seq=N Destination Host Unreachable".
// - a new flow per probe (ICMP `ping -c 1`, TCP/UDP `nc` to the host's echo server): a
//   constant shell loop, parameters as positional arguments (never spliced into the script),
//   printing "sent N", then "ok N [seen ADDR]" or "fail N" when the probe ends. Probes run in
//   the background so the send rate holds when replies stop coming.

/** `sh -c TRAFFIC_LOOP egress-lab-traffic PROTO DEST PORT INTERVAL_MS COUNT` (COUNT 0: until stopped). */
export const TRAFFIC_LOOP = String.raw`
proto=$1; dst=$2; port=$3; iv=$4; count=$5
stop=0
trap 'stop=1' TERM INT
probe() {
  case "$proto" in
    icmp) if ping -n -c 1 -W 1 "$dst" >/dev/null 2>&1; then echo "ok $1"; else echo "fail $1"; fi ;;
    tcp) r=$(printf 'egress-lab probe %s\n' "$1" | timeout 3 nc -N -w 1 "$dst" "$port" 2>/dev/null)
         case "$r" in *seen*) echo "ok $1 $(printf '%s\n' "$r" | sed -n 's/^seen //p' | head -n 1)" ;; *) echo "fail $1" ;; esac ;;
    udp) r=$(printf 'egress-lab probe %s\n' "$1" | timeout 3 nc -u -w 1 "$dst" "$port" 2>/dev/null)
         case "$r" in *seen*) echo "ok $1 $(printf '%s\n' "$r" | sed -n 's/^seen //p' | head -n 1)" ;; *) echo "fail $1" ;; esac ;;
  esac
}
# centiseconds since boot into $now, without a fork ("12345.67 …": split on '.' and ' ')
cs() { IFS='. ' read -r a b _ < /proc/uptime; now=$((a * 100 + 1$b - 100)); }
cs; start=$now
ms=$iv
sl=$(printf '%d.%03d' $((iv / 1000)) $((iv % 1000)))
i=0
while [ "$stop" = 0 ] && { [ "$count" = 0 ] || [ "$i" -lt "$count" ]; }; do
  i=$((i+1))
  sleep "$sl" & s=$!
  echo "sent $i"
  probe "$i" &
  wait "$s" 2>/dev/null || kill "$s" 2>/dev/null
  # Hold the asked rate: every 10 probes, shorten (or lengthen) the sleep by how far the
  # loop's own overhead has put it behind (or ahead of) schedule.
  if [ $((i % 10)) = 0 ]; then
    cs
    ms=$(( ms - ( (now - start) * 10 - i * iv ) / 10 ))
    [ "$ms" -lt 1 ] && ms=1; [ "$ms" -gt "$iv" ] && ms=$iv
    sl=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  fi
done
wait
echo "done $i"
`;

export function intervalSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** `waitS`: how long ping waits for the last reply (and counts late ones) before it exits. */
export function pingArgv(address: string, intervalMs: number, count?: number, waitS = 1): string[] {
  const argv = ['ping', '-n', '-O', '-W', String(waitS), '-i', intervalSeconds(intervalMs)];
  if (count !== undefined) argv.push('-c', String(count));
  argv.push('--', address);
  return argv;
}

export function loopArgv(
  proto: 'icmp' | 'tcp' | 'udp',
  address: string,
  port: number,
  intervalMs: number,
  count?: number,
): string[] {
  return [
    'sh',
    '-c',
    TRAFFIC_LOOP,
    'egress-lab-traffic',
    proto,
    address,
    String(port),
    String(Math.round(intervalMs)),
    String(count ?? 0),
  ];
}

/** Running tallies a generator's output updates. */
export interface Tally {
  sent: number;
  received: number;
  lastReplyAt?: number;
  lastSeen?: string;
  /** ping's own summary, when it printed one: the exact counts. */
  final?: { sent: number; received: number };
}

/** Folds one line of either generator into the tally; returns whether anything changed. */
export function foldTrafficLine(t: Tally, line: string, now: number): boolean {
  let m = /^\d+ bytes from [^:]+: icmp_seq=(\d+)/.exec(line);
  if (m) {
    t.received++;
    t.sent = Math.max(t.sent, Number(m[1]));
    t.lastReplyAt = now;
    return true;
  }
  m = /^no answer yet for icmp_seq=(\d+)/.exec(line) ?? /^From \S+ icmp_seq=(\d+) /.exec(line);
  if (m) {
    t.sent = Math.max(t.sent, Number(m[1]));
    return true;
  }
  m = /^(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(line);
  if (m) {
    t.final = { sent: Number(m[1]), received: Number(m[2]) };
    t.sent = t.final.sent;
    t.received = t.final.received;
    return true;
  }
  m = /^sent (\d+)$/.exec(line);
  if (m) {
    t.sent = Math.max(t.sent, Number(m[1]));
    return true;
  }
  m = /^ok (\d+)(?: (\S+))?$/.exec(line);
  if (m) {
    t.received++;
    t.lastReplyAt = now;
    if (m[2]) t.lastSeen = m[2];
    return true;
  }
  return false;
}
