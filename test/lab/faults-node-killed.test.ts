// Fault: a node container killed under a running lab. `status` shows it; `up` restores it
// with its links (the pod behind it too: a veth dies with either end) and its rules; the
// pod's traffic is NATed again; `down` leaves no container, helper or veth of the lab.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabSource, LabStatus } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';
import { labLeftovers, pingObserved, requestSources } from './helpers.js';

const TEMPLATE = join(import.meta.dirname, '../../lab-templates/outgoing-nat.yaml');
const LAB = `fault-node-${randomBytes(2).toString('hex')}`;
const source: LabSource = { file: TEMPLATE, text: readFileSync(TEMPLATE, 'utf8') };
const service = new LabService();
let first: LabStatus;

const addr = (s: LabStatus, kind: 'nodes' | 'hosts', name: string): string =>
  s[kind].find((x) => x.name === name)!.address.split('/')[0]!;

beforeAll(async () => {
  await service.setup();
  first = await service.up([source], { name: LAB });
});

afterAll(async () => {
  await service.down(LAB).catch(() => undefined);
  await service.close();
});

describe('a node container killed', () => {
  it('shows in status, and up restores it with links, rules and BGP', async () => {
    const rt = await service.runtime();
    const internet = addr(first, 'hosts', 'internet');
    const node1 = addr(first, 'nodes', 'node-1');
    await rt.docker.getContainer(`${LAB}-node-1`).kill();

    const [broken] = await service.status(LAB);
    expect(broken!.containers.find((c) => c.name === 'node-1')?.state).toBe('exited');
    expect(broken!.running).toBe(false);
    const dead = await rt.ping(LAB, 'web-1', internet, 2);
    expect(dead.received).toBe(0); // its pod lost the path with it

    await service.up([source], { name: LAB });
    const [fixed] = await service.status(LAB);
    expect(fixed!.running).toBe(true);
    expect(fixed!.containers.map((c) => c.name).sort()).toEqual(
      first.containers.map((c) => c.name).sort(),
    );
    const n1 = fixed!.containers.find((c) => c.name === 'node-1')!;
    expect(n1.bgp?.length).toBeGreaterThan(0);
    expect(n1.bgp?.every((s) => s.state === 'Established')).toBe(true);

    // Rules: the MASQUERADE rule and the pools ipset are back in node-1.
    const nat = await rt.exec(LAB, 'node-1', ['iptables-save', '-t', 'nat']);
    expect(nat.stdout).toMatch(
      /-A cali-nat-outgoing .*--match-set cali40masq-ipam-pools src .*-j MASQUERADE/,
    );
    const set = await rt.exec(LAB, 'node-1', ['ipset', 'list', 'cali40masq-ipam-pools']);
    expect(set.stdout).toContain('192.168.0.0/16');

    // Links: web-1 reaches the internet again, seen there as node-1 (NAT on).
    const seen = await pingObserved(rt, LAB, 'web-1', internet, ['internet'], 3);
    expect(seen.received).toBeGreaterThan(0);
    expect(new Set(requestSources(seen.at.internet ?? [], internet))).toEqual(new Set([node1]));
  });

  it('down leaves no container, helper or veth of the lab', async () => {
    const rt = await service.runtime();
    await service.down(LAB);
    expect(await labLeftovers(rt.docker, LAB, planLab(loadLab([source])))).toEqual({
      containers: [],
      hostIfnames: [],
    });
  });
});
