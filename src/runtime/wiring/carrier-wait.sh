i=0
until ip -d -o link show | awk -v want="$*" '
  BEGIN { n = split(want, w, " "); for (j = 1; j <= n; j++) left[w[j]] = 1 }
  { f = $2; sub(/:$/, "", f); sub(/@.*/, "", f) }
  f in left && / state UP / && (!/bridge_slave/ || /bridge_slave state forwarding/) { delete left[f] }
  END { for (f in left) exit 1 }'; do
  i=$((i + 1)); [ "$i" -le 400 ] || exit 0
  sleep 0.005
done
