// Every lab template realized in network namespaces (test/unit/helpers/netns.ts): each `expect`
// entry is checked against real packets (a UDP echo in the destination reports the source it
// saw) and against explain. The templates' promises hold on a real kernel, not just on paper.
// Skipped unless root with ip netns, ipset and iptables.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';

const PREFIX = `eglt${process.pid % 100000}`;
const net = new NetnsLab(PREFIX);
afterEach(() => net.cleanup());
afterAll(() => net.sweep());

const DIR = join(import.meta.dirname, '../../../lab-templates');
const templates = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

/** The container holding `address` (first interface address match), if any. */
function containerWith(plan: LabPlan, address: string): string | undefined {
  return plan.containers.find((c) =>
    c.interfaces.some((i) => i.addresses.some((a) => a.split('/')[0] === address)),
  )?.name;
}

/** Whether this kernel can make a device of that kind in a namespace (ipip, wireguard). */
function kernelHas(kind: string): boolean {
  const ns = `${PREFIX}probe`;
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
    execFileSync('ip', ['-n', ns, 'link', 'add', 'name', 'probe', 'type', kind], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // not created
    }
  }
}

describe.skipIf(!netnsAvailable(PREFIX))('lab templates on real namespaces', () => {
  for (const file of templates) {
    const lab = loadLab([{ file, text: readFileSync(join(DIR, file), 'utf8') }]);
    const plan = planLab(lab);
    const needs = [
      ...(plan.containers.some((c) => c.dataplane?.encap?.ipip) ? ['ipip'] : []),
      ...(plan.containers.some((c) => c.dataplane?.encap?.wireguard) ? ['wireguard'] : []),
    ];
    const missing = netnsAvailable(PREFIX) ? needs.filter((k) => !kernelHas(k)) : [];
    if (missing.length)
      console.warn(
        `SKIPPED ${file}: this kernel has no ${missing.join(', ')} module, so its tunnel cannot be made here (rendered rules are unit-tested in test/unit/plan/encap.test.ts)`,
      );
    test.skipIf(missing.length > 0)(
      file,
      async () => {
        net.realize(plan);
        const echoes = new Map<string, { seen: string[] }>();
        for (const exp of lab.expect) {
          // Entries through a Service go through kube-proxy's DNAT: check proves them on the
          // engine (test/lab/templates-check.test.ts), explain does not walk Services here.
          if (exp.service) continue;
          // IPv6 entries: this helper's echoes and rules are IPv4's; the IPv6 ones are proved
          // on the real engine (test/lab/ipv6.test.ts, `check` on each IPv6 template).
          if (exp.ipVersion === 6) continue;
          const e = explain(plan, exp.from, exp.to, { protocol: exp.protocol });
          const target = containerWith(plan, e.destination);
          if (target && !echoes.has(target)) echoes.set(target, await net.startEcho(target, 8081));
          const echo = target ? echoes.get(target)! : { seen: [] };
          const mark = echo.seen.length;
          const out = net.send(exp.from, e.destination, 8081);
          await new Promise((r) => setTimeout(r, 100));
          const label = `${file}: ${exp.from} -> ${exp.to}`;
          expect(echo.seen[mark] ?? 'nothing', `${label}: source seen`).toBe(
            e.forward?.ok === false ? 'nothing' : e.seenSource,
          );
          expect(out.startsWith('seen '), `${label}: reply (${out})`).toBe(e.reply);
        }
      },
      60_000,
    );
  }
});
