# $1: icmp|tcp|udp, $2: destination, $3: port, $4: interval (ms), $5: probes (0: until stopped).
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
