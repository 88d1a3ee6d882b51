// What one container receives to apply its dataplane: a tar of input files on stdin
// and a constant script (APPLY_SCRIPT). Order, as Felix does it: fill temporary ipsets,
// parse-check BIRD's config, restore the nat table in one transaction, then swap the
// sets in, routes, BIRD. Anything refused before the swap leaves the previous state.
import type { IpSet } from '../../core/dataplane/types.js';
import type { ContainerPlan, ServiceSpec } from '../../core/plan/types.js';
import { buildTar, type TarFile } from '../engine/tar.js';

const SET_NAME = /^[A-Za-z0-9_.:-]{1,31}$/;
export const TEMP_SET_PREFIX = 'egl-tmp-';

export interface IpsetStages {
  stage: string; // creates each real set if missing, fills a temporary copy
  swap: string; // swaps each temporary set in and destroys it
  names: string[]; // sets this container should have
}

/**
 * Turns plain `ipset restore` input (create/add lines) into the two stages Felix uses:
 * fill a temporary set, then `swap` it with the live one, so members change atomically.
 */
export function ipsetStages(restore: string): IpsetStages {
  const temp = new Map<string, string>();
  const created: string[] = [];
  const stage: string[] = [];
  const tmpOf = (name: string, where: string): string => {
    const t = temp.get(name);
    if (!t) throw new Error(`ipset input ${where}: set ${name} is used before its create line`);
    return t;
  };
  restore.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `line ${i + 1}`;
    if (!line || line.startsWith('#')) return;
    const [cmd, name, ...rest] = line.split(/\s+/);
    if (!name || !SET_NAME.test(name))
      throw new Error(`ipset input ${where}: bad set name in "${line}"`);
    if (rest.some((w) => !/^[A-Za-z0-9_.:/,-]+$/.test(w)))
      throw new Error(`ipset input ${where}: unexpected "${line}"`);
    if (cmd === 'create') {
      if (temp.has(name)) throw new Error(`ipset input ${where}: set ${name} created twice`);
      const t = `${TEMP_SET_PREFIX}${temp.size}`;
      temp.set(name, t);
      created.push(name);
      const opts = rest.filter((w) => w !== '-exist').join(' ');
      stage.push(`create ${name} ${opts} -exist`, `create ${t} ${opts}`);
    } else if (cmd === 'add') {
      stage.push(
        `add ${tmpOf(name, where)} ${rest.filter((w) => w !== '-exist').join(' ')} -exist`,
      );
    } else {
      throw new Error(`ipset input ${where}: only create and add lines are expected, got "${cmd}"`);
    }
  });
  const swap = created.flatMap((n) => [`swap ${n} ${temp.get(n)}`, `destroy ${temp.get(n)}`]);
  return { stage: joinLines(stage), swap: joinLines(swap), names: created };
}

/** The same stages from the sets as data (the plan's `dataplane.ipsets`). */
export function ipsetStagesFromData(sets: readonly IpSet[]): IpsetStages {
  const text = sets.flatMap((s) => {
    if (!SET_NAME.test(s.name)) throw new Error(`bad ipset name ${s.name}`);
    return [
      `create ${s.name} ${s.type} family ${s.family} maxelem 1048576`,
      ...s.members.map((m) => `add ${s.name} ${m}`),
    ];
  });
  return ipsetStages(text.join('\n'));
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * Splits `iptables-restore` input for the nat table into its header (`*nat` and the
 * chain declarations) and body, so the script can put deletions of our previous
 * rules in kernel chains between them: one transaction, no window without NAT.
 */
export function splitNatRestore(text: string): { head: string; body: string } {
  const lines = text.split('\n').filter((l, i, all) => l.trim() !== '' || i < all.length - 1);
  const tables = lines.filter((l) => l.startsWith('*'));
  if (tables.length !== 1 || tables[0]?.trim() !== '*nat') {
    throw new Error('iptables input must hold exactly one table, *nat');
  }
  const start = lines.findIndex((l) => l.startsWith('*nat'));
  let end = start + 1;
  while (end < lines.length && (lines[end]?.startsWith(':') || lines[end]?.startsWith('#'))) end++;
  const body = lines.slice(end);
  if (
    body.filter((l) => l.trim() === 'COMMIT').length !== 1 ||
    body[body.length - 1]?.trim() !== 'COMMIT'
  ) {
    throw new Error('iptables input must end with one COMMIT');
  }
  return {
    head: joinLines(lines.slice(0, end)),
    body: joinLines(body.filter((l) => l.trim() !== '')),
  };
}

export function servicesFile(services: readonly ServiceSpec[]): string {
  return joinLines(
    services.map((s) => {
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
        throw new Error(`bad service port ${s.port}`);
      if (s.kind !== 'tcp-echo' && s.kind !== 'udp-echo')
        throw new Error(`unknown service kind ${String(s.kind)}`);
      return `${s.kind} ${s.port}`;
    }),
  );
}

/** The files for one container's apply, as a tar for stdin. */
export interface ApplyInputOptions {
  /**
   * Re-check everything against the kernel instead of trusting what the last apply left
   * (`up` converges even after someone changed rules by hand; live toggles skip this).
   */
  full?: boolean;
  /** Leave the routes out: `up` has the wiring helper add them to a new container, once its links exist. */
  skipRoutes?: boolean;
  /**
   * The container was created by this `up` and nothing has touched it: nothing to clean up
   * (old temporary sets, old rules, sets the plan dropped) and BIRD not running, so its
   * own start checks the config. Saves a dozen processes per container on the way up.
   */
  fresh?: boolean;
  /** A BIRD config to use instead of the plan's (`up`: BIRD starts with its sessions disabled). */
  birdConfig?: string;
}

export function applyInputFiles(c: ContainerPlan, opts: ApplyInputOptions = {}): TarFile[] {
  const r = c.rendered;
  const files: TarFile[] = opts.full ? [{ name: 'full', content: '' }] : [];
  if (opts.fresh) files.push({ name: 'fresh', content: '' });
  const bird = r.birdConfig === undefined ? undefined : (opts.birdConfig ?? r.birdConfig);
  if (c.dataplane || r.ipsetRestore !== undefined) {
    // Sets as data when the plan has them; else plain create/add text.
    const s = c.dataplane
      ? ipsetStagesFromData(c.dataplane.ipsets)
      : ipsetStages(r.ipsetRestore ?? '');
    files.push(
      { name: 'ipset.stage', content: s.stage },
      { name: 'ipset.swap', content: s.swap },
      { name: 'ipset.names', content: joinLines(s.names) },
    );
  }
  if (r.iptablesNat !== undefined) {
    const n = splitNatRestore(r.iptablesNat);
    files.push({ name: 'nat.head', content: n.head }, { name: 'nat.body', content: n.body });
  }
  if (r.routes.trim() && !opts.skipRoutes)
    files.push({
      name: 'routes.batch',
      content: r.routes.endsWith('\n') ? r.routes : `${r.routes}\n`,
    });
  if (bird !== undefined) files.push({ name: 'bird.conf', content: bird });
  if (c.services.length) files.push({ name: 'services', content: servicesFile(c.services) });
  return files;
}

export function applyInputTar(c: ContainerPlan, opts: ApplyInputOptions = {}): Buffer {
  return buildTar(applyInputFiles(c, opts));
}

/**
 * Runs inside a lab container as `sh -c APPLY_SCRIPT egress-lab-apply`, the tar on
 * stdin. Constant text: no value from a plan is ever spliced into it.
 * Exit 0: applied; 3: rejected in validation (nothing changed); other: failed while committing.
 */
export const APPLY_SCRIPT = String.raw`
set -u
D=/run/egress-lab
mkdir -p "$D"
exec 9>"$D/apply.lock"
flock 9 # daemons started below must not inherit fd 9 (9>&-), or they would hold the lock
rm -rf "$D/in"; mkdir -p "$D/in"; cd "$D/in"
tar -x -f - || { echo "cannot unpack the apply input" >&2; exit 2; }
KERN='^-A (PREROUTING|INPUT|OUTPUT|POSTROUTING) '
dropTemps() { for s in $(ipset list -n 2>/dev/null | grep '^egl-tmp-'); do ipset destroy "$s" 2>/dev/null; done; }
reject() { echo "rejected: $*" >&2; dropTemps; exit 3; }
fail() { echo "failed: $*" >&2; exit 4; }

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
# 3. nat table: one iptables-restore transaction (all or nothing). Our rules in kernel
#    chains (cali: comments) are deleted and re-added in the same transaction, unless
#    they are the same as last time.
if [ -f nat.head ]; then
  grep -E "$KERN" nat.body > nat.kern || true
  if [ -f fresh ]; then
    cat nat.head nat.body > nat.full
  elif [ ! -f full ] && [ -f "$D/nat.kern" ] && cmp -s nat.kern "$D/nat.kern"; then
    grep -vE "$KERN" nat.body > nat.own || true
    cat nat.head nat.own > nat.full
  else
    iptables-save -t nat | grep -E "$KERN.*cali:" | sed 's/^-A /-D /' > nat.del || true
    cat nat.head nat.del nat.body > nat.full
  fi
  iptables-restore --noflush < nat.full 2>err || reject "iptables: $(cat err)"
  cp nat.kern "$D/nat.kern"
fi
# 4. Swap the new set members in; drop sets the plan no longer has.
if [ -f ipset.swap ]; then ipset restore < ipset.swap 2>err || fail "ipset swap: $(cat err)"; fi
if [ -f ipset.names ] && [ ! -f fresh ]; then
  for s in $(ipset list -n | grep '^cali'); do grep -qxF "$s" ipset.names || ipset destroy "$s" 2>/dev/null || true; done
fi
if [ -f routes.batch ]; then ip -batch routes.batch 2>err || fail "routes: $(cat err)"; fi
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
    case "$kind" in
      tcp-echo) setsid socat "TCP-LISTEN:$port,fork,reuseaddr" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      udp-echo) setsid socat "UDP-RECVFROM:$port,fork" 'SYSTEM:echo "seen $SOCAT_PEERADDR"; exec cat' </dev/null >/dev/null 2>&1 9>&- & ;;
      *) fail "unknown service $kind" ;;
    esac
    echo $! > "$pidf"
  done < services
fi
echo applied
`;
