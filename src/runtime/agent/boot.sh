D=/run/egress-lab/boot
mkdir -p "$D"
if IFS=' ' read -r v _ n && [ "$v" = boot ] && head -c "$n" | tar -x -C "$D" -f -; then
  exec sh "$D/agent.sh" ". $D/apply.sh" ". $D/bgp.sh" ". $D/status.sh"
fi
exec sleep infinity
