// The wiring helper's one script, rendered from the steps (steps.ts). Every value that
// reaches the shell is quoted here; what goes into a here-document (`ip -batch` lines,
// base64) was validated by the steps. Constant fragments are .sh files next to this one.
import { readScript } from '../util/script-file.js';
import { shJoin, shQuote } from './quote.js';
import type { ContainerSetup, IpOp, Veth, VethEnd, WiringStep } from './steps.js';

/** set -eu, and the step that failed named on stderr. */
const PROLOGUE = readScript('./prologue.sh', import.meta.url);

/**
 * Inside one container's namespace. $1: the helper's procfs, then sysctl pairs (path,
 * value); stdin: the `ip -batch` lines.
 */
export const CONFIGURE = readScript('./configure.sh', import.meta.url);

/**
 * Inside one container's namespace; the arguments: its interfaces. Waits until every one
 * can carry traffic: up with carrier, bridge ports forwarding. The kernel takes a carrier
 * change up asynchronously and drops what is sent until then; a BGP SYN or an ARP request
 * lost there costs a 1 s retransmission. Bounded (~2 s): a link that stays down is BGP's to
 * report, not the wiring's.
 */
export const CARRIER_WAIT = readScript('./carrier-wait.sh', import.meta.url);

/** `ownsPid PID ID NAME`: fails unless PID is still in container ID's cgroup (not reused). */
export const PID_CHECK = readScript('./pid-check.sh', import.meta.url);

/** `sessionsOn ROOT NAME`, config on stdin (base64): a new BIRD's sessions enabled. */
const SESSIONS_ON = readScript('./sessions-on.sh', import.meta.url);

const EOF = 'EGRESS_LAB_EOF';

/** Background jobs at most this many at a time: a 500-container lab must not fork 500. */
const JOBS_AT_ONCE = 16;

/**
 * Each job (lines ending in a background command) run in the background, JOBS_AT_ONCE at
 * a time; fails, once all have ended, if one failed (each names itself).
 */
function inParallel(jobs: readonly string[][]): string[] {
  const out = ['rc=0'];
  for (let i = 0; i < jobs.length; i += JOBS_AT_ONCE) {
    out.push('pids=');
    for (const job of jobs.slice(i, i + JOBS_AT_ONCE)) out.push(...job, 'pids="$pids $!"');
    out.push('for p in $pids; do wait "$p" || rc=1; done');
  }
  out.push('[ "$rc" = 0 ]');
  return out;
}

/** A subshell in the background that names `what` on stderr if it fails. */
function job(what: string, body: string[]): string[] {
  const trap = `rc=$?; [ "$rc" -eq 0 ] || echo ${shQuote(`egress-lab wiring failed at: ${what}`)} >&2`;
  return ['(', `  trap ${shQuote(trap)} EXIT`, ...body, ') &'];
}

function nsenter(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-n', ...argv];
}

function endArgs(end: VethEnd): string[] {
  const args = ['name', end.ifname];
  if (end.index !== undefined) args.push('index', String(end.index));
  args.push('address', end.mac, 'netns', `/proc/${end.pid}/ns/net`);
  return args;
}

/** `ip link add … type veth peer …` argv (after `ip`) for one pair. */
export function vethAddArgs(v: Veth): string[] {
  return ['link', 'add', ...endArgs(v.a), 'type', 'veth', 'peer', ...endArgs(v.b)];
}

function ipLine(o: IpOp): string {
  switch (o.op) {
    case 'bridge-add':
      return `link add name ${o.name} type bridge`;
    case 'link-mac':
      return `link set dev ${o.dev} address ${o.mac}`;
    case 'link-up':
      return `link set dev ${o.dev} up`;
    case 'link-mtu':
      return `link set dev ${o.dev} mtu ${o.mtu}`;
    case 'link-master':
      return `link set dev ${o.dev} master ${o.master}`;
    case 'addr':
      return `addr replace ${o.cidr} dev ${o.dev}`;
    case 'route':
      return o.line;
  }
}

/** One container's setup: bridges looked up (reused), then sysctls and its batch under one nsenter. */
function configureJob(s: ContainerSetup, proc: string | undefined): string[] {
  const body = s.ensureBridges.map(
    (name) =>
      `  ${shJoin(nsenter(s.pid, ['ip', 'link', 'show', 'dev', name]))} >/dev/null 2>&1 || ` +
      shJoin(nsenter(s.pid, ['ip', 'link', 'add', 'name', name, 'type', 'bridge'])),
  );
  if (s.sysctls.length && proc === undefined)
    throw new Error(`${s.container}: sysctls to write but no procfs mounted`);
  const argv = s.sysctls.length
    ? ['sh', '-c', CONFIGURE, 'sh', proc!, ...s.sysctls.flatMap((w) => [w.path, w.value])]
    : ['ip', '-batch', '-'];
  body.push(`  ${shJoin(nsenter(s.pid, argv))} <<'${EOF}'`, ...s.ops.map(ipLine), EOF);
  return job(s.container, body);
}

/** The helper's shell for the steps, in order; each names itself in `step` for errors. */
export function renderWiring(steps: readonly WiringStep[]): string {
  const out: string[] = [PROLOGUE.trimEnd()];
  const step = (s: string): void => {
    out.push(`step=${shQuote(s)}`);
  };
  const listVar = new Map<string, string>(); // container → its interface list's variable
  let proc: string | undefined;
  for (const s of steps) {
    switch (s.kind) {
      case 'check-pids':
        // Every owner checked (each failure named), then the script stops if one failed.
        step('checking that each PID still belongs to its container');
        out.push(PID_CHECK.trimEnd(), 'rc=0');
        for (const o of s.owners)
          out.push(`${shJoin(['ownsPid', String(o.pid), o.id, o.container])} || rc=1`);
        out.push('[ "$rc" = 0 ]');
        break;
      case 'delete-stale-ends':
        step('removing veths left by replaced containers');
        for (const e of s.ends)
          out.push(
            `${shJoin(nsenter(e.pid, ['ip', 'link', 'del', 'dev', e.ifname]))} >/dev/null 2>&1 || true`,
          );
        break;
      case 'create-veths':
        step(`creating ${s.veths.length} veth pairs`);
        out.push(`ip -batch - <<'${EOF}'`, ...s.veths.map((v) => vethAddArgs(v).join(' ')), EOF);
        break;
      case 'list-interfaces': {
        const v = `L${listVar.size}`;
        listVar.set(s.container, v);
        step(`listing interfaces of ${s.container}`);
        out.push(
          `${v}=" $(${shJoin(nsenter(s.pid, ['ip', '-o', 'link', 'show']))} | ` +
            `sed -n 's/^[0-9]*: \\([^:@]*\\).*/\\1/p' | tr '\\n' ' ')"`,
        );
        break;
      }
      case 'check-veth': {
        const { a, b } = s.veth;
        const va = listVar.get(a.container);
        const vb = listVar.get(b.container);
        if (!va || !vb) throw new Error(`check of ${a.container}/${a.ifname}: no listing first`);
        step(`checking link ${a.container}/${a.ifname} - ${b.container}/${b.ifname}`);
        out.push(
          `case "$${va}" in *${shQuote(` ${a.ifname} `)}*) case "$${vb}" in *${shQuote(` ${b.ifname} `)}*) ok=1 ;; *) ok=0 ;; esac ;; *) ok=0 ;; esac`,
          'if [ "$ok" = 0 ]; then',
          `  ${shJoin(nsenter(a.pid, ['ip', 'link', 'del', 'dev', a.ifname]))} >/dev/null 2>&1 || true`,
          `  ${shJoin(nsenter(b.pid, ['ip', 'link', 'del', 'dev', b.ifname]))} >/dev/null 2>&1 || true`,
          `  ${shJoin(['ip', ...vethAddArgs(s.veth)])}`,
          `  echo ${shQuote(`relinked ${a.container}/${a.ifname} ${b.container}/${b.ifname}`)}`,
          'fi',
        );
        break;
      }
      case 'mount-proc':
        proc = s.path;
        step('mounting procfs for per-interface sysctls');
        out.push(`mkdir -p ${shQuote(s.path)}`, `mount -t proc proc ${shQuote(s.path)}`);
        break;
      case 'configure':
        step('configuring the containers');
        out.push(...inParallel(s.containers.map((c) => configureJob(c, proc))));
        break;
      case 'await-carrier':
        step('waiting until the links carry traffic');
        out.push(
          ...inParallel(
            s.containers.map((c) =>
              job(`${c.container}: waiting for its links`, [
                `  ${shJoin(nsenter(c.pid, ['sh', '-c', CARRIER_WAIT, 'sh', ...c.ifnames]))}`,
              ]),
            ),
          ),
        );
        break;
      case 'enable-bgp':
        // BIRD is started by the container's own first apply, which may still be running:
        // its control socket appears once the boot config is in place.
        step('enabling BGP sessions');
        out.push(SESSIONS_ON.trimEnd());
        out.push(
          ...inParallel(
            s.birds.map((b) => [
              `sessionsOn /proc/${b.pid}/root ${shQuote(b.container)} <<'${EOF}' &`,
              ...(Buffer.from(b.config)
                .toString('base64')
                .match(/.{1,76}/g) ?? []),
              EOF,
            ]),
          ),
        );
        break;
    }
  }
  out.push('step=done', 'echo "egress-lab wiring ok"', '');
  return out.join('\n');
}
