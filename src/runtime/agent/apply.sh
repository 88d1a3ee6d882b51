#!/bin/sh
# egress-lab apply: makes one lab container's dataplane what its plan says. Runs inside the
# container as `sh -c "$(cat apply.sh)" egress-lab-apply` (or through the resident agent),
# with a tar of input files on stdin (runtime/agent/apply-input.ts renders them from the
# plan's data; every file is optional):
#   full          re-check against the kernel instead of trusting what the last apply left
#   fresh         a container nothing has touched yet: nothing to clean up, BIRD not running
#   ipset.stage   `ipset restore` input: create each set if missing, fill a temporary copy
#   ipset.swap    `ipset restore` input: swap the copies in, destroy them
#   ipset.names   the cali sets the node should have (others are destroyed)
#   nat.head      `*nat` and the declarations of our chains (which create or flush them)
#   nat.own       the rules of our chains
#   nat.kern      our rules in kernel chains (the POSTROUTING hook; kube-proxy's jumps after it)
#   nat6.*        IPv6 labs: the same three for ip6tables' nat table
#   filter6.*     IPv6 labs with network policy: the same three for ip6tables' filter table
#   filter.head   network policy: `*filter` and our chains' declarations (restored with nat.*)
#   filter.own    the rules of our filter chains
#   filter.kern   our FORWARD, INPUT and OUTPUT hooks (`-I FORWARD 1 -j cali-FORWARD`, …)
#   kfilter.*     kube-proxy's filter table (iptables mode): head (`*filter`, KUBE- chains),
#                 own (their rules), kern (its INPUT/FORWARD/OUTPUT jumps, `-I CHAIN 1`)
#   nft.prep      nftables mode instead of the five files above: `nft -f` input that declares
#                 table `ip calico` and its sets and empties its chains and sets
#   nft.rules     then the table's sets and chains (the apply deletes stale ones in between);
#                 all in one transaction
#   nft6.prep, nft6.rules   IPv6 labs in nftables mode: the same for tables `ip6 calico` and
#                 `ip6 egress-lab`, in the same transaction (no file: Felix programs no IPv6,
#                 FelixConfiguration ipv6Support false, and the last apply's IPv6 tables go)
#   kpnft.rules   kube-proxy in nftables mode: `nft -f` input replacing table `ip kube-proxy` whole
#   encap.*       tunnel devices (names, dev: `ip` lines, ip: `ip -batch`, fdb: `bridge -batch`)
#   routes.batch  `ip -batch` input
#   routes.known  `up`: the routes the wiring adds (recorded for 5a, not applied)
#   bird.conf     BIRD's config
#   services      "tcp-echo PORT" / "udp-echo PORT" lines
#   fw.rules, fw.in, egw.ip, egw.nat, egw.tables   perimeter firewall and egress gateways (5')
# Order, as Felix does it: fill temporary ipsets, parse-check BIRD's config, restore the nat
# table in one transaction, then swap the sets in, routes, BIRD. Anything refused before the
# swap leaves the previous state. In nftables mode the table is rewritten in one `nft -f`
# after BIRD's config check (never deleted: see core/dataplane/render-nft.ts);
# then, as Felix does when its mode changes, the other mode's Calico state goes: our
# iptables chains, hooks and cali ipsets, or tables `ip calico` and `ip egress-lab` (the
# lab's conntrack keeper). $D/mode remembers the mode of the last apply and $D/nft.want the
# table's chains and sets, so a toggle reads neither.
# Exit 0: applied; 2: unreadable input; 3: rejected in validation (nothing changed);
# 4: failed while committing.
set -u
D=/run/egress-lab
mkdir -p "$D"
exec 9>"$D/apply.lock"
flock 9 # daemons started below must not inherit fd 9 (9>&-), or they would hold the lock
rm -rf "$D/in"
mkdir -p "$D/in"
cd "$D/in" || exit 2
tar -x -f - || { echo "cannot unpack the apply input" >&2; exit 2; }
KERN='^-A (PREROUTING|INPUT|OUTPUT|POSTROUTING) '
# Our rules in kernel chains: Felix's (cali: hash comments) and kube-proxy's jumps.
OURS='(cali:|"kubernetes (service portals|postrouting rules)")'
dropTemps() {
  for s in $(ipset list -n 2>/dev/null | grep '^egl-tmp-'); do ipset destroy "$s" 2>/dev/null; done
}
# Only the chains that changed, as Felix's table.go writes them (it keeps the hashes of the
# chains it programmed) and kube-proxy's partial sync: $1 $2 the head and rules the last apply
# restored (in $D), $3 $4 this apply's; writes to $5 the table line and the declarations of new
# or changed chains (which create or flush them) and to $6 their rules, in the input's order.
# A chain none of whose rules is in a hunk of `diff` (and not new) has the same rules in the
# same order: the kernel keeps it as it is. Rules of undeclared chains always go.
changedChains() {
  { diff "$2" "$4"; diff "$1" "$3" | grep '^> :'; } \
    | sed -n 's/^[<>] -A \([^ ]*\).*$/\1/p; s/^> :\([^ ]*\).*$/\1/p' | sort -u > "$5.diff"
  if [ ! -s "$5.diff" ]; then grep -v '^:' "$3" > "$5"; : > "$6"; return; fi
  : > "$5"; : > "$6"
  awk -v cl="$5.diff" -v nh="$3" -v outh="$5" -v outr="$6" '
    FILENAME == cl { ch[$0] = 1; next }
    FILENAME == nh {
      if ($0 !~ /^:/) { print > outh; next }
      c = substr($1, 2); decl[c] = 1; if (c in ch) print > outh; next
    }
    $1 != "-A" || !($2 in decl) || ($2 in ch) { print > outr }' "$5.diff" "$3" "$4"
}
reject() { echo "rejected: $*" >&2; dropTemps; exit 3; }
fail() { echo "failed: $*" >&2; exit 4; }
# Our ip6tables nat chains and POSTROUTING hook (cali: rules), removed in one transaction: a
# node now in nftables mode, or whose Felix no longer programs IPv6 (ipv6Support false).
clean6() {
  command -v ip6tables-save >/dev/null || return 0
  dropOurs ip6 nat "$KERN" '(cali-|egress-lab-)'
  rm -f "$D/nat6.kern"
}
# Our chains (names matching $4) and our cali: hooks in kernel chains (lines matching $3) out of
# one table ($2) of iptables or ip6tables ($1: ip or ip6), in one --noflush transaction; other
# programs' rules stay.
dropOurs() {
  "$1tables-save" -t "$2" > "$1$2.now" 2>err || fail "$1tables-save: $(cat err)"
  grep -oE "^:$4[^ ]+" "$1$2.now" | cut -c2- > "$1$2.ours"
  if [ -s "$1$2.ours" ] || grep -qE "$3.*cali:" "$1$2.now"; then
    {
      echo "*$2"
      grep -E "$3.*cali:" "$1$2.now" | sed 's/^-A /-D /'
      sed 's/^/-F /' "$1$2.ours"
      sed 's/^/-X /' "$1$2.ours"
      echo COMMIT
    } > "$1$2.clean"
    "$1tables-restore" --noflush < "$1$2.clean" 2>err || fail "$1tables cleanup: $(cat err)"
  fi
}

# 1. ipsets: fill temporary sets (the live ones are untouched; missing ones are created empty).
if [ -f ipset.stage ]; then
  [ -f fresh ] || dropTemps
  ipset restore < ipset.stage 2>err || reject "ipset: $(cat err)"
fi
# 2. BIRD config: parse-check only when it changed.
birdChanged=0
if [ -f bird.conf ] && [ -f fresh ]; then
  birdChanged=1 # BIRD is not running: its start below checks the config
elif [ -f bird.conf ] && ! cmp -s bird.conf /etc/bird/bird.conf; then
  birdChanged=1
  bird -p -c bird.conf 2>err || reject "bird config: $(cat err)"
fi
if [ -f nft.rules ]; then
  # Chains, sets and maps of the live table the plan no longer has (both listings use one
  # layout). A stale map (policy's dispatch maps) is flushed first: its elements hold chains.
  names() { sed -n 's/^\t\(chain\|set\|map\) \([^ ]*\) {.*$/\1 \2/p' | sort; }
  names < nft.rules > nft.want
  : > nft.live
  if [ -f fresh ]; then :
  elif [ ! -f full ] && [ "$(cat "$D/mode" 2>/dev/null)" = nftables ] && [ -f "$D/nft.want" ]; then
    cp "$D/nft.want" nft.live
  else
    nft list table ip calico 2>/dev/null | names > nft.live
  fi
  comm -23 nft.live nft.want > nft.stale
  { sed -n 's/^map /flush map ip calico /p' nft.stale
    sed 's/^\([a-z]*\) /delete \1 ip calico /' nft.stale; } > nft.del
  cat nft.prep nft.del nft.rules > nft.full
  # IPv6 labs: `table ip6 calico` the same way, in the same transaction.
  if [ -f nft6.rules ]; then
    names < nft6.rules > nft6.want
    : > nft6.live
    if [ -f fresh ]; then :
    elif [ ! -f full ] && [ "$(cat "$D/mode" 2>/dev/null)" = nftables ] && [ -f "$D/nft6.want" ]; then
      cp "$D/nft6.want" nft6.live
    else
      nft list table ip6 calico 2>/dev/null | names > nft6.live
    fi
    comm -23 nft6.live nft6.want > nft6.stale
    { sed -n 's/^map /flush map ip6 calico /p' nft6.stale
      sed 's/^\([a-z]*\) /delete \1 ip6 calico /' nft6.stale; } > nft6.del
    cat nft6.prep nft6.del nft6.rules >> nft.full
  fi
fi
# kube-proxy's table (nftables mode): checked here with `nft -c` so a refusal changes nothing;
# written after Calico's (step 3''). Skipped when it is the same as the last apply's.
kpnftChanged=0
if [ -f kpnft.rules ] && { [ -f fresh ] || [ -f full ] || ! cmp -s kpnft.rules "$D/kpnft.rules"; }; then
  kpnftChanged=1
  nft -c -f kpnft.rules 2>err || reject "kube-proxy nftables: $(cat err)"
fi
lastMode=$(cat "$D/mode" 2>/dev/null)
# Our chains' heads and rules as the last apply restored them ($D/nat.*, $D/filter.*): a
# live change rewrites only the chains that differ (changedChains); `up` (full, fresh) and
# the first apply after nftables mode rewrite them all.
partial() { # $1: nat or filter
  if [ ! -f full ] && [ ! -f fresh ] && [ "$lastMode" = iptables ] && [ -f "$D/$1.head" ]; then
    changedChains "$D/$1.head" "$D/$1.own" "$1.head" "$1.own" "$1.chead" "$1.cown"
  else
    cp "$1.head" "$1.chead"; cp "$1.own" "$1.cown"
  fi
}
# 3. nat table: one iptables-restore transaction (all or nothing). Our previous rules in
#    kernel chains (cali: comments; others' rules stay) are deleted and ours re-added in the
#    same transaction, unless they are the same as last time (nat.kern kept in $D).
# The nat table as the kernel lists it, read once per apply (11,000 rules take a while).
natSaved() {
  [ -f nat.saved ] || iptables-save -t nat > nat.saved
  cat nat.saved
}
# The filter table likewise, read at most once before the restore (clean check, kube-proxy's
# old jumps, the policy block's live chains and hooks).
filterSaved() {
  [ -f filter.saved ] || iptables-save -t filter > filter.saved 2>err || fail "iptables-save: $(cat err)"
  cat filter.saved
}
# Rules in the nat or filter table that are not the lab's (Calico's cali: rules and chains,
# kube-proxy's KUBE- chains and jumps, the conntrack keeper): another program's.
foreignRules() {
  grep '^-A ' | grep -v -e 'cali:' -e '^-A cali-' -e '^-A KUBE-' -e ' -j KUBE-' \
    -e '^-A egress-lab-conntrack '
}
if [ -f nat.head ]; then
  # clean: the tables hold nothing but the lab's rules (a new container, or a full apply that
  # finds no other program's rule), so one restore without --noflush replaces them whole: the
  # kernel drops the old tables at once instead of rule by rule (11,000 rules: ~0.3 s instead
  # of ~0.65 s). Another program's rule keeps the rule-by-rule way (--noflush), which leaves it
  # alone, as Felix and kube-proxy do.
  clean=
  if [ -f fresh ]; then clean=1
  elif [ -f full ] && [ "$lastMode" = iptables ] && ! natSaved | foreignRules | grep -q . &&
    ! filterSaved | foreignRules | grep -q .; then clean=1; fi
  partial nat
  if [ -n "$clean" ]; then
    cat nat.chead nat.cown nat.kern > nat.full
  elif [ ! -f full ] && [ -f "$D/nat.kern" ] && cmp -s nat.kern "$D/nat.kern"; then
    cat nat.chead nat.cown > nat.full
  else
    natSaved | grep -E "$KERN.*$OURS" | sed 's/^-A /-D /' > nat.del
    cat nat.chead nat.del nat.cown nat.kern > nat.full
  fi
  # kube-proxy's chains the plan no longer has: flushed, then deleted, in the same transaction
  # (as kube-proxy does). $D/kube.chains remembers the last apply's, so a toggle reads nothing.
  grep -o '^:KUBE-[^ ]*' nat.head | sort > kube.want
  if [ -s kube.want ] || [ -s "$D/kube.chains" ] || [ -f full ]; then
    if [ -n "$clean" ]; then : > kube.live
    elif [ ! -f full ] && [ -f "$D/kube.chains" ]; then cp "$D/kube.chains" kube.live
    else natSaved | grep -o '^:KUBE-[^ ]*' | sort > kube.live; fi
    comm -23 kube.live kube.want > kube.stale
    sed 's/$/ - [0:0]/' kube.stale >> nat.full
    sed 's/^:/-X /' kube.stale >> nat.full
  fi
  echo COMMIT >> nat.full
  # kube-proxy's filter table (iptables mode), in the same restore and before Calico's policy
  # block, whose `-I FORWARD 1` then puts cali-FORWARD above kube-proxy's jumps (as Felix keeps
  # its hooks first). Its chains rewritten whole when they changed, its jumps replaced when
  # they changed (the last apply's in $D/kfilter.*); without kfilter.head after an apply that
  # had it, all removed.
  if [ -f kfilter.head ] || [ -f "$D/kfilter.kern" ]; then
    if [ -f kfilter.head ]; then cp kfilter.head kfilter.chains
    else grep '^:KUBE-' "$D/kfilter.chains" 2>/dev/null > kfilter.chains; : > kfilter.own; : > kfilter.kern; fi
    if [ -n "$clean" ]; then : > kfilter.hdel
    elif [ ! -f full ] && [ -f "$D/kfilter.kern" ] && cmp -s kfilter.kern "$D/kfilter.kern"; then
      : > kfilter.hdel; : > kfilter.kern
    elif [ ! -f full ] && [ -f "$D/kfilter.kern" ]; then
      sed 's/^-I \([A-Z]*\) 1 /-D \1 /' "$D/kfilter.kern" > kfilter.hdel
    else
      filterSaved | grep -E '^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-' \
        | sed 's/^-A /-D /' > kfilter.hdel
    fi
    # Its chains as the last apply restored them ($D/kfilter.chains, $D/kfilter.own): a live
    # change that leaves them as they were does not rewrite them (as partial does for ours).
    kfsame=
    if [ -f kfilter.head ] && [ ! -f full ] && [ ! -f fresh ] && [ "$lastMode" = iptables ] &&
      cmp -s kfilter.head "$D/kfilter.chains" && cmp -s kfilter.own "$D/kfilter.own"; then
      kfsame=1
    fi
    {
      [ -n "$kfsame" ] || grep '^:KUBE-' kfilter.chains
      cat kfilter.hdel
      [ -n "$kfsame" ] || cat kfilter.own
      cat kfilter.kern
      [ -f kfilter.head ] || grep -o '^:KUBE-[^ ]*' kfilter.chains | sed 's/^:/-X /'
    } >> filter.sect
  fi
  # The filter table (network policy) in the same restore: our chains rewritten whole, stale
  # cali- chains flushed and deleted, our FORWARD hooks (cali: rules) replaced. Policies gone
  # (no filter.head after an apply that had one): our hooks and chains removed. What the last
  # apply left ($D/filter.want, $D/filter.kern) spares reading the table, unless `full`.
  if [ -f filter.head ] || [ -f "$D/filter.on" ]; then
    [ -f filter.head ] || { echo '*filter' > filter.head; : > filter.own; : > filter.kern; }
    partial filter
    grep -oE '^:cali-[^ ]+' filter.head | cut -c2- | sort > filter.want
    if [ -n "$clean" ]; then
      : > filter.live; : > filter.hdel
    elif [ ! -f full ] && [ -f "$D/filter.want" ] && [ -f "$D/filter.kern" ]; then
      cp "$D/filter.want" filter.live
      # (kube-proxy's jumps just inserted at the top: Calico's go above them again.)
      if cmp -s filter.kern "$D/filter.kern" && [ ! -s kfilter.kern ]; then : > filter.kern; : > filter.hdel
      else sed -E 's/^-[AI] (FORWARD|INPUT|OUTPUT)( 1)? /-D \1 /' "$D/filter.kern" > filter.hdel; fi
    else
      filterSaved > filter.now
      grep -oE '^:cali-[^ ]+' filter.now | cut -c2- | sort > filter.live
      grep -E '^-A (FORWARD|INPUT|OUTPUT) .*cali:' filter.now | sed 's/^-A /-D /' > filter.hdel
    fi
    comm -23 filter.live filter.want > filter.stale
    {
      grep -v '^\*filter' filter.chead
      cat filter.hdel
      sed 's/^/-F /' filter.stale
      sed 's/^/-X /' filter.stale
      cat filter.kern filter.cown
    } >> filter.sect
  fi
  # kube-proxy's and Calico's filter rules in one *filter section (a restore without
  # --noflush would empty the table again at a second one).
  if [ -f filter.sect ]; then
    { echo '*filter'; cat filter.sect; echo COMMIT; } >> nat.full
  fi
  # No record while the kernel may be changing: an apply that ends here (killed) leaves the
  # next one rewriting every chain rather than trusting a record the kernel no longer matches.
  rm -f "$D/nat.head" "$D/filter.head" "$D/kfilter.own"
  if [ -n "$clean" ]; then
    : > nat.replaced # (which way it went, for whoever reads the apply's input dir)
    iptables-restore < nat.full 2>err || reject "iptables: $(cat err)"
  else iptables-restore --noflush < nat.full 2>err || reject "iptables: $(cat err)"; fi
  if [ -f kfilter.head ]; then
    cp kfilter.head "$D/kfilter.chains"
    [ -s kfilter.kern ] && cp kfilter.kern "$D/kfilter.kern"
    cp kfilter.own "$D/kfilter.own"
  else rm -f "$D/kfilter.chains" "$D/kfilter.kern"; fi
  cp kube.want "$D/kube.chains"
  cp nat.kern "$D/nat.kern"
  cp nat.head "$D/nat.head"; cp nat.own "$D/nat.own"
  if [ -s filter.want ]; then
    : > "$D/filter.on"
    cp filter.want "$D/filter.want"
    [ -s filter.kern ] && cp filter.kern "$D/filter.kern"
    cp filter.head "$D/filter.head"; cp filter.own "$D/filter.own"
  else
    rm -f "$D/filter.on" "$D/filter.want" "$D/filter.kern" "$D/filter.head" "$D/filter.own"
  fi
  if [ ! -f fresh ] && { [ -f full ] || [ "$lastMode" != iptables ]; } && command -v nft >/dev/null; then
    for t in calico egress-lab; do
      if nft list table ip "$t" >/dev/null 2>&1; then
        nft delete table ip "$t" 2>err || fail "nft: $(cat err)"
      fi
      # IPv6 labs: Felix's `table ip6 calico` and the keeper's, likewise.
      if nft list table ip6 "$t" >/dev/null 2>&1; then
        nft delete table ip6 "$t" 2>err || fail "nft: $(cat err)"
      fi
    done
    rm -f "$D/nft6.want"
  fi
  echo iptables > "$D/mode"
fi
# 3b. IPv6 labs: ip6tables' nat table, the same way (nat6.* files; $D/nat6.kern).
if [ -f nat6.head ]; then
  if [ -f fresh ]; then
    cat nat6.head nat6.own nat6.kern > nat6.full
  elif [ ! -f full ] && [ -f "$D/nat6.kern" ] && cmp -s nat6.kern "$D/nat6.kern"; then
    cat nat6.head nat6.own > nat6.full
  else
    ip6tables-save -t nat | grep -E "$KERN.*cali:" | sed 's/^-A /-D /' > nat6.del
    cat nat6.head nat6.del nat6.own nat6.kern > nat6.full
  fi
  echo COMMIT >> nat6.full
  # After IPv4's commit: a refusal here is a failure, not a rejection (IPv4 has changed).
  ip6tables-restore --noflush < nat6.full 2>err || fail "ip6tables: $(cat err)"
  cp nat6.kern "$D/nat6.kern"
elif [ -f nat.head ] && [ ! -f fresh ] && [ -f "$D/nat6.kern" ]; then
  clean6 # iptables mode, and Felix no longer programs IPv6 (ipv6Support false)
fi
# 3c. IPv6 labs with network policy: ip6tables' filter table as the IPv4 one (filter6.* files):
#     our chains rewritten whole, stale cali- chains flushed and deleted, our hooks replaced.
#     $D/filter6.on remembers that an apply put them there, so removing every policy removes them.
if [ -f filter6.head ] || [ -f "$D/filter6.on" ]; then
  [ -f filter6.head ] || { echo '*filter' > filter6.head; : > filter6.own; : > filter6.kern; }
  grep -oE '^:cali-[^ ]+' filter6.head | cut -c2- | sort > filter6.want
  if [ -f fresh ]; then
    : > filter6.live; : > filter6.hdel
  else
    ip6tables-save -t filter > filter6.now 2>err || fail "ip6tables-save: $(cat err)"
    grep -oE '^:cali-[^ ]+' filter6.now | cut -c2- | sort > filter6.live
    grep -E '^-A (FORWARD|INPUT|OUTPUT) .*cali:' filter6.now | sed 's/^-A /-D /' > filter6.hdel
  fi
  comm -23 filter6.live filter6.want > filter6.stale
  {
    cat filter6.head filter6.hdel
    sed 's/^/-F /' filter6.stale
    sed 's/^/-X /' filter6.stale
    cat filter6.kern filter6.own
    echo COMMIT
  } > filter6.full
  ip6tables-restore --noflush < filter6.full 2>err || fail "ip6tables filter: $(cat err)"
  if [ -s filter6.want ]; then : > "$D/filter6.on"; else rm -f "$D/filter6.on"; fi
fi
# 3'. nftables mode: the table in one transaction, then no Calico iptables rules or ipsets.
#     Nothing has changed before it in this mode and nft commits all or nothing, so a file
#     nft refuses is a rejection (no separate `nft -c`: it would double the cost).
if [ -f nft.rules ]; then
  nft -f nft.full 2>err || reject "nft: $(cat err)"
  cp nft.want "$D/nft.want"
  if [ -f nft6.rules ]; then
    cp nft6.want "$D/nft6.want"
  elif [ ! -f fresh ] && { [ -f "$D/nft6.want" ] || [ -f full ]; }; then
    # Felix no longer programs IPv6 (ipv6Support false): its IPv6 tables go.
    for t in calico egress-lab; do
      if nft list table ip6 "$t" >/dev/null 2>&1; then
        nft delete table ip6 "$t" 2>err || fail "nft: $(cat err)"
      fi
    done
    rm -f "$D/nft6.want"
  fi
  if [ ! -f fresh ] && { [ -f full ] || [ "$lastMode" != nftables ]; }; then
    dropOurs ip nat "$KERN" '(cali-|egress-lab-)'
    # The iptables filter table's policy chains and their INPUT/FORWARD/OUTPUT hooks, likewise.
    dropOurs ip filter '^-A (FORWARD|INPUT|OUTPUT) ' 'cali-'
    rm -f "$D/filter.on" "$D/filter.want" "$D/filter.kern" "$D/filter.head" "$D/filter.own"
    rm -f "$D/nat.head" "$D/nat.own"
    clean6 # IPv6 labs: ip6tables' nat chains and hook, likewise (before the cali60 sets go)
    for s in $(ipset list -n 2>/dev/null | grep '^cali'); do ipset destroy "$s" 2>/dev/null || true; done
    rm -f "$D/nat.kern"
  fi
  echo nftables > "$D/mode"
fi
# 3''. kube-proxy in nftables mode: table `ip kube-proxy` replaced whole in one transaction
#     (core/dataplane/render-kube-proxy-nft.ts); beside Calico's, whatever Felix's mode. A node
#     whose plan has no such table any more loses the one the last apply (or anyone) left.
if [ "$kpnftChanged" = 1 ]; then
  nft -f kpnft.rules 2>err || fail "kube-proxy nftables: $(cat err)"
  cp kpnft.rules "$D/kpnft.rules"
elif [ ! -f kpnft.rules ] && { [ -f nat.head ] || [ -f nft.rules ]; } \
  && { [ -f "$D/kpnft.rules" ] || { [ -f full ] && [ ! -f fresh ]; }; } && command -v nft >/dev/null; then
  if nft list table ip kube-proxy >/dev/null 2>&1; then
    nft delete table ip kube-proxy 2>err || fail "nft: $(cat err)"
  fi
  rm -f "$D/kpnft.rules"
fi
# 4. Swap the new set members in; drop sets the plan no longer has.
if [ -f ipset.swap ]; then ipset restore < ipset.swap 2>err || fail "ipset swap: $(cat err)"; fi
if [ -f ipset.names ] && [ ! -f fresh ]; then
  for s in $(ipset list -n | grep '^cali'); do
    grep -qxF "$s" ipset.names || ipset destroy "$s" 2>/dev/null || true
  done
fi
# 4b. Tunnels (encap.*, core/dataplane/render-encap.ts): when they changed, the devices of the
#     last apply are deleted (their routes, ARP and FDB entries go with them) and made again;
#     then their address, ARP and FDB entries and the routes through them. A node whose plan
#     has no tunnel any more loses those it had.
if [ -f encap.names ] || { [ -f "$D/encap.names" ] && { [ -f nat.head ] || [ -f nft.rules ]; }; }; then
  for f in encap.names encap.dev encap.ip encap.fdb; do [ -f "$f" ] || : > "$f"; done
  cat encap.dev encap.ip encap.fdb > encap.all
  if [ -f fresh ] || [ -f full ] || ! cmp -s encap.all "$D/encap.all"; then
    if [ -f "$D/encap.names" ]; then
      while read -r dev; do ip link del dev "$dev" 2>/dev/null; done < "$D/encap.names"
    fi
    while read -r line; do
      # shellcheck disable=SC2086 # one `ip` command a line, its words checked by the renderer
      ip $line 2>err || grep -q 'File exists' err || fail "tunnel device: $(cat err)"
    done < encap.dev
    if [ -s encap.ip ]; then ip -batch encap.ip 2>err || fail "tunnel: $(cat err)"; fi
    if [ -s encap.fdb ]; then bridge -batch encap.fdb 2>err || fail "tunnel fdb: $(cat err)"; fi
  fi
  cp encap.all "$D/encap.all"
  cp encap.names "$D/encap.names"
fi
if [ -f routes.batch ]; then ip -batch routes.batch 2>err || fail "routes: $(cat err)"; fi
# 5a. Stale routes, as Felix's route manager removes the routes it owns that are no longer
#     desired (felix/routetable/route_table.go): $D/routes.del holds the routes the last apply
#     programmed, as `route del` lines with `proto boot` (what `ip route replace` gives them),
#     so BIRD's (`proto bird`) and the kernel's routes never match. After the new routes are in
#     (make before break); a route whose key is still wanted is left alone. routes.known: the
#     routes the wiring adds at `up` (recorded, not applied). No file: the plan has no routes.
cat routes.batch routes.known 2>/dev/null \
  | sed -e 's/^route replace /route del /' -e 's/ scope [^ ]*//; s/ src [^ ]*//; s/ onlink//' \
    -e 's/$/ proto boot/' > routes.del
if [ -s "$D/routes.del" ]; then
  grep -vxF -f routes.del "$D/routes.del" > routes.stale
  [ -s routes.stale ] && ip -force -batch routes.stale >/dev/null 2>&1
fi
cp routes.del "$D/routes.del"
# 5'. The router's perimeter firewall (fw.rules: its filter chain, fw.in: the fabric bridge)
#     and Calico Enterprise egress gateways (egw.ip: ip rules at pref 105 to their tables,
#     egw.nat: the nat chain egress-lab-egw, egw.tables: the table ids). Chains outside Felix's,
#     hooked once; when the plan drops them, what the last apply set up ($D/fw, $D/egw.tables) goes.
if [ -f fw.rules ]; then
  iptables-restore --noflush < fw.rules 2>err || fail "firewall: $(cat err)"
  fwin=$(cat fw.in)
  iptables -C FORWARD -i "$fwin" ! -o "$fwin" -j egress-lab-fw 2>/dev/null \
    || iptables -A FORWARD -i "$fwin" ! -o "$fwin" -j egress-lab-fw 2>err || fail "firewall hook: $(cat err)"
  echo "$fwin" > "$D/fw"
elif [ -f "$D/fw" ]; then
  fwin=$(cat "$D/fw")
  iptables -D FORWARD -i "$fwin" ! -o "$fwin" -j egress-lab-fw 2>/dev/null
  iptables -F egress-lab-fw 2>/dev/null; iptables -X egress-lab-fw 2>/dev/null
  rm -f "$D/fw"
fi
# Inbound rules (hosts into the cluster): chain egress-lab-fw-in, declared in fw.rules when the
# plan has it, hooked for packets routed onto the fabric; otherwise what an earlier apply hooked goes.
if [ -n "${fwin:-}" ] && [ -f fw.rules ] && grep -q '^:egress-lab-fw-in ' fw.rules; then
  iptables -C FORWARD ! -i "$fwin" -o "$fwin" -j egress-lab-fw-in 2>/dev/null \
    || iptables -A FORWARD ! -i "$fwin" -o "$fwin" -j egress-lab-fw-in 2>err || fail "firewall inbound hook: $(cat err)"
elif [ -n "${fwin:-}" ] && iptables -S egress-lab-fw-in >/dev/null 2>&1; then
  iptables -D FORWARD ! -i "$fwin" -o "$fwin" -j egress-lab-fw-in 2>/dev/null
  iptables -F egress-lab-fw-in 2>/dev/null; iptables -X egress-lab-fw-in 2>/dev/null
fi
if [ -f egw.ip ] || [ -f "$D/egw.tables" ]; then
  while ip rule del pref 105 2>/dev/null; do :; done
  # The tables' routes came with routes.batch (or the wiring); tables the plan dropped are emptied.
  [ -f "$D/egw.tables" ] && while read -r t; do
    grep -qxF "$t" egw.tables 2>/dev/null || ip route flush table "$t" 2>/dev/null
  done < "$D/egw.tables"
  if [ -f egw.ip ]; then
    ip -batch egw.ip 2>err || fail "egress gateway routes: $(cat err)"
    iptables-restore --noflush < egw.nat 2>err || fail "egress gateway nat: $(cat err)"
    iptables -t nat -C POSTROUTING -j egress-lab-egw 2>/dev/null \
      || iptables -t nat -I POSTROUTING 1 -j egress-lab-egw 2>err || fail "egress gateway hook: $(cat err)"
    cp egw.tables "$D/egw.tables"
  else
    iptables -t nat -D POSTROUTING -j egress-lab-egw 2>/dev/null
    iptables -t nat -F egress-lab-egw 2>/dev/null; iptables -t nat -X egress-lab-egw 2>/dev/null
    rm -f "$D/egw.tables"
  fi
fi
if [ -f bird.conf ]; then
  mkdir -p /etc/bird /run/bird
  if [ -f /run/bird/bird.pid ] && kill -0 "$(cat /run/bird/bird.pid)" 2>/dev/null; then
    if [ "$birdChanged" = 1 ]; then
      cp bird.conf /etc/bird/bird.conf
      birdc -s /run/bird/bird.ctl configure >err 2>&1 || fail "birdc configure: $(cat err)"
      grep -q 'Reconfigur' err || fail "birdc configure: $(cat err)"
    fi
  else
    [ "$birdChanged" = 1 ] || bird -p -c bird.conf 2>err || reject "bird config: $(cat err)"
    cp bird.conf /etc/bird/bird.conf
    rm -f /run/bird/bird.ctl
    bird -c /etc/bird/bird.conf -s /run/bird/bird.ctl -P /run/bird/bird.pid </dev/null >/dev/null 2>err 9>&- || fail "bird: $(cat err)"
  fi
fi
if [ -f services ]; then
  while read -r kind port; do
    pidf="$D/svc-$kind-$port.pid"
    if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then continue; fi
    # The echo servers answer with the address they saw ($SOCAT_PEERADDR is socat's, for its child).
    # shellcheck disable=SC2016
    case "$kind" in
      tcp-echo) setsid socat "TCP-LISTEN:$port,fork,reuseaddr" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      udp-echo) setsid socat "UDP-RECVFROM:$port,fork" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      # IPv6 labs: the same port over IPv6, next to the IPv4 listener (ipv6only: no mapped addresses).
      tcp6-echo) setsid socat "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=1" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      udp6-echo) setsid socat "UDP6-RECVFROM:$port,fork,ipv6only=1" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      *) fail "unknown service $kind" ;;
    esac
    echo $! > "$pidf"
  done < services
fi
echo applied
