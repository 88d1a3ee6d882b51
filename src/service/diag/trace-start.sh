# Starts the kernel's trace of one packet in a node: `nft -a monitor` in the background
# (trace events and ruleset events, in arrival order), then a table whose only rule sets
# `meta nftrace` on the probe's packets, before every other hook (priority -350).
# $1 source address, $2 destination address, $3 nft words matching the protocol (or "").
# Argument values come from the lab's record (addresses resolved and checked by the service).
T=egresslab_trace
D=/run/egress-lab-trace
mkdir -p "$D"
if [ -f "$D/pid" ]; then kill "$(cat "$D/pid")" 2>/dev/null; fi
nft delete table ip "$T" 2>/dev/null
nft -a monitor > "$D/out" 2>&1 &
echo $! > "$D/pid"
# The monitor listens once it reports a table we add and remove.
i=0
while [ "$i" -lt 300 ]; do
  nft add table ip egresslab_ready && nft delete table ip egresslab_ready
  grep -q egresslab_ready "$D/out" && break
  i=$((i + 1))
  sleep 0.01
done
grep -q egresslab_ready "$D/out" || { echo "nft monitor did not start" >&2; exit 3; }
nft -f - <<RULES
table ip $T {
  chain pre {
    type filter hook prerouting priority -350; policy accept;
    ip saddr $1 ip daddr $2 $3 meta nftrace set 1
  }
}
RULES
