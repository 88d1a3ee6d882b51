# Ends a trace started by trace-start.sh and prints what the monitor saw. A sentinel table
# added after the probe shows up in the monitor's output after the probe's trace events
# (one netlink socket, in arrival order), so nothing of the probe is cut off.
T=egresslab_trace
D=/run/egress-lab-trace
nft delete table ip "$T" 2>/dev/null
nft add table ip egresslab_done && nft delete table ip egresslab_done
i=0
while [ "$i" -lt 300 ] && ! grep -q egresslab_done "$D/out"; do
  i=$((i + 1))
  sleep 0.01
done
if [ -f "$D/pid" ]; then kill "$(cat "$D/pid")" 2>/dev/null; fi
cat "$D/out"
rm -rf "$D"
