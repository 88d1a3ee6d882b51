IFS=' ' read -r verb id n || exit 0
[ "$verb" = wire ] || exit 2
head -c "$n" > /tmp/wire.sh
sh /tmp/wire.sh > /tmp/wire.out 2>&1
rc=$?
printf 'egress-lab-done %s %s %s\n' "$id" "$rc" "$(wc -c < /tmp/wire.out)"
cat /tmp/wire.out
