// Every lab template realized in network namespaces (test/unit/helpers/netns.ts): each `expect`
// entry is checked against real packets (a UDP echo in the destination reports the source it
// saw) and against explain. The templates' promises hold on a real kernel, not just on paper.
// Skipped unless root with ip netns, ipset and iptables.
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

describe.skipIf(!netnsAvailable(PREFIX))('lab templates on real namespaces', () => {
  for (const file of templates) {
    test(
      file,
      async () => {
        const lab = loadLab([{ file, text: readFileSync(join(DIR, file), 'utf8') }]);
        const plan = planLab(lab);
        net.realize(plan);
        const echoes = new Map<string, { seen: string[] }>();
        for (const exp of lab.expect) {
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
