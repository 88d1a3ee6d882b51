// Every template, and labs imported from customer-style files, pass `check` on a real engine:
// real probes, real tcpdump on the destination. One engine, one image, one lab service for
// the whole file; each lab is started by check, and removed in the background while the next
// one starts (names are unique, so they never collide).
//
// `check` probes from pods. Entries that start at a host (inbound over BGP) are proved here
// directly, by the same means: tcpdump on the destination pod while the host pings it.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { importLab } from '../../src/core/import/index.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import type { Lab, LabExpectation } from '../../src/core/model/lab.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../src/service/lab-service.js';
import { labRuntime, pingObserved, replyDestinations, requestSources } from './helpers.js';

const TEMPLATES = readdirSync('lab-templates')
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const CUSTOMERS = ['racks-bgp-no-nat.yaml', 'overlap-7345.yaml', 'kubectl-crd-aws-node.yaml'];

let rt: LabRuntime;
let service: LabService;
const downs: Promise<unknown>[] = [];
let counter = 0;

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  service = new LabService({ runtime: rt });
});

afterAll(async () => {
  await Promise.allSettled(downs);
  await service?.close();
});

function isInbound(lab: Lab, e: LabExpectation): boolean {
  // Entries through a Service (to: service/NAME) are check's own, from a host too.
  // A denied entry (allowed: false) is check's too: it proves the drop at the router.
  return lab.hosts.some((h) => h.name === e.from) && !e.service && e.allowed !== false;
}

/** The lab text without its host-origin entries (check runs the others). */
function withoutInbound(text: string, lab: Lab): string {
  const docs = text.split(/^---\n/m);
  const first = parseDocument(docs[0]!);
  const list = first.getIn(['spec', 'expect']) as { items: unknown[] } | undefined;
  if (list) {
    const keep = lab.expect.map((e) => !isInbound(lab, e));
    list.items = list.items.filter((_, i) => keep[i]);
  }
  return [first.toString(), ...docs.slice(1)].join('---\n');
}

/** Starts the lab with check, asserts every entry held on the wire, then proves inbound ones. */
async function checkOnWire(file: string, text: string): Promise<void> {
  const lab = loadLab([{ file, text }]);
  const name = `tc${++counter}-${lab.name}`.slice(0, 30).replace(/-$/, '');
  await rt.down(name);
  try {
    const report = await service.live.check([{ file, text: withoutInbound(text, lab) }], {
      name,
    });
    const failed = report.entries.filter((e) => !e.ok);
    // One string, so a failure prints what the capture saw in full.
    expect(
      failed
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    expect(report.entries.length).toBe(lab.expect.filter((e) => !isInbound(lab, e)).length);

    const plan = planLab(lab);
    for (const e of lab.expect.filter((x) => isInbound(lab, x))) {
      const a = plan.ipam.assignments.find((x) => x.pod === e.to)!;
      // ipVersion 6: the pod's IPv6 address (IPv6 labs).
      const pod = e.ipVersion === 6 ? { pod: a.pod, address: a.ipv6!.address } : a;
      const o = await pingObserved(rt, name, e.from, pod.address, [pod.pod]);
      const seen = new Set(requestSources(o.at[pod.pod]!, pod.address));
      const wanted = typeof e.seenAs === 'string' ? e.seenAs : e.seenAs.address;
      expect([...seen], `${e.from} -> ${e.to} seen by ${pod.pod}`).toEqual([wanted]);
      expect(o.received > 0, `${e.from} -> ${e.to} replies`).toBe(e.reply);
      if (e.reply) expect(replyDestinations(o.at[pod.pod]!, pod.address)).toContain(wanted);
    }
  } finally {
    downs.push(rt.down(name).catch(() => undefined));
  }
}

describe('templates pass check on a real lab', () => {
  it.each(TEMPLATES)('%s', async (f) => {
    const file = join('lab-templates', f);
    try {
      await checkOnWire(file, readFileSync(file, 'utf8'));
    } catch (e) {
      // IPIP / WireGuard templates on a kernel without the module: `up` refuses before
      // creating anything (runtime/lab/kernel-modules.ts); said loudly, not hidden.
      if (!/needs the kernel module/.test(String(e))) throw e;
      console.warn(`SKIPPED ${f} on this engine: ${(e as Error).message}`);
    }
  });
});

describe('labs imported from customer files pass check', () => {
  it.each(CUSTOMERS)('%s', async (f) => {
    const file = join('test/fixtures/customers', f);
    const { text } = importLab([{ file, text: readFileSync(file, 'utf8') }], {
      name: `imp-${f.replace(/[^a-z0-9]+/g, '-').slice(0, 12)}`.replace(/-$/, ''),
    });
    await checkOnWire(`${f}.lab.yaml`, text);
  });
});
