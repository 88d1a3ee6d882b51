# $1: polls at most, $2: seconds between polls, then the BGP protocols to wait for.
n=$1; iv=$2; shift 2; i=0
while :; do
  out=$(birdc -s /run/bird/bird.ctl show protocols all 2>/dev/null) || out=''
  ok=1
  if [ -z "$out" ]; then ok=0
  elif [ $# -gt 0 ]; then
    for p do printf '%s\n' "$out" | grep -Eq "^${p}[[:space:]]+BGP[[:space:]].*Established" || { ok=0; break; }; done
  else
    printf '%s\n' "$out" | awk '$2 == "BGP" && $0 !~ /Established/ { f = 1 } END { exit f }' || ok=0
  fi
  [ "$ok" = 1 ] && break
  i=$((i + 1)); [ "$i" -ge "$n" ] && break
  sleep "$iv"
done
printf '%s\n' "$out"
