// The import's steps one at a time, on small resources written here: each asserts what the
// step decides from the resources (Calico's selectors, the peers' addresses), not its text.
import { describe, expect, test } from 'vitest';
import { matchesSelector } from '../../../src/core/calico/selector.js';
import { importContext, type ImportContext } from '../../../src/core/import/context.js';
import { addHosts } from '../../../src/core/import/hosts.js';
import { addNamedNodes, placePeerNodes, placePoolPods } from '../../../src/core/import/nodes.js';
import { readInputs } from '../../../src/core/import/read-inputs.js';
import { placeRouter } from '../../../src/core/import/router.js';
import { cidrContains, cidrsOverlap } from '../../../src/core/net/cidr.js';

const pool = (name: string, cidr: string, extra = '') =>
  `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: ${name}}\nspec: {cidr: ${cidr}${extra}}\n`;
const peer = (name: string, spec: string) =>
  `apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: ${name}}\nspec: {${spec}}\n`;

function contextOf(...docs: string[]): ImportContext {
  const inputs = readInputs([{ file: 'c.yaml', text: docs.join('---\n') }], 'lab');
  return importContext(inputs, placeRouter(inputs));
}

describe('readInputs', () => {
  test('no IPPool: the lab runs with calico-node default pool, and says so', () => {
    const inputs = readInputs(
      [{ file: 'c.yaml', text: peer('p', 'peerIP: 192.0.2.1, asNumber: 64600') }],
      'lab',
    );
    expect(inputs.pools.map((p) => p.name)).toEqual(['default-ipv4-ippool']);
    expect(inputs.report[0]).toMatch(/no IPPool given/);
  });
});

describe('placeRouter', () => {
  test("takes the peer's address when its /24 is clear of the enabled pools", () => {
    const { router, fabric } = contextOf(
      pool('a', '10.60.0.0/16'),
      peer('tor', 'peerIP: 172.20.5.1, asNumber: 64600'),
    );
    expect(router).toEqual({ address: '172.20.5.1', asNumber: 64600 });
    expect(fabric).toBe('172.20.5.0/24');
  });

  test('a peer inside an enabled pool would take a pod address: the fabric goes elsewhere', () => {
    const ctx = contextOf(
      pool('a', '10.60.0.0/16'),
      peer('tor', 'peerIP: 10.60.3.1, asNumber: 64600'),
    );
    expect(cidrsOverlap(ctx.fabric, '10.60.0.0/16')).toBe(false);
    expect(cidrContains(ctx.fabric, ctx.router.address)).toBe(true);
    expect(ctx.router.address).not.toBe('10.60.3.1');
  });
});

describe('nodes', () => {
  test('every enabled pool selects the node its pod is placed on', () => {
    const ctx = contextOf(
      pool('r1', '10.60.0.0/18', ', nodeSelector: "rack == \'r1\'"'),
      pool('r2', '10.60.64.0/18', ', nodeSelector: "rack == \'r2\' && !has(edge)"'),
      pool('off', '10.128.0.0/9', ', disabled: true'),
    );
    addNamedNodes(ctx);
    placePoolPods(ctx);
    placePeerNodes(ctx);
    expect(ctx.podPlan.map((p) => p.pool.name)).toEqual(['r1', 'r2']);
    for (const { pool: p, node } of ctx.podPlan) {
      const n = ctx.nodes.list.find((x) => x.name === node)!;
      const labels = { ...n.labels, 'kubernetes.io/hostname': n.name };
      expect(matchesSelector(p.spec.nodeSelector, labels)).toBe(true);
    }
  });

  test('a customer node name that is no DNS label is renamed, once, and reported', () => {
    const ctx = contextOf(
      pool('a', '10.60.0.0/16'),
      peer('p1', 'node: ip-10-0-1-5.ec2.internal, peerIP: 192.0.2.1, asNumber: 64600'),
      peer('p2', 'node: ip-10-0-1-5.ec2.internal, peerIP: 192.0.2.1, asNumber: 64600'),
    );
    addNamedNodes(ctx);
    expect(ctx.nodes.list.map((n) => n.name)).toEqual(['ip-10-0-1-5']);
    expect(ctx.nodes.renamed.get('ip-10-0-1-5.ec2.internal')).toBe('ip-10-0-1-5');
    expect(ctx.report.filter((l) => l.includes('is called ip-10-0-1-5'))).toHaveLength(1);
  });

  test('a selector nothing can satisfy leaves the pod to the annotation alone', () => {
    const ctx = contextOf(pool('a', '10.60.0.0/16', ', nodeSelector: "!all()"'));
    placePoolPods(ctx);
    placePeerNodes(ctx);
    expect(ctx.nodes.list).toHaveLength(1);
    expect(ctx.podPlan[0]!.node).toBe(ctx.nodes.list[0]!.name);
    expect(ctx.report.join('\n')).toMatch(/selects no node whatever its labels/);
    expect(ctx.report.join('\n')).toMatch(/placed by the ipv4pools annotation alone/);
  });
});

describe('addHosts', () => {
  test('an internet host outside every pool and the fabric, a host inside each disabled pool', () => {
    const ctx = contextOf(
      pool('a', '10.60.0.0/16'),
      pool('off', '10.128.0.0/9', ', disabled: true'),
    );
    addHosts(ctx);
    const [internet, inside] = ctx.hosts;
    expect(internet!.name).toBe('internet');
    const addr = (h: { address: string }) => h.address.split('/')[0]!;
    for (const cidr of ['10.60.0.0/16', '10.128.0.0/9', ctx.fabric])
      expect(cidrContains(cidr, addr(internet!))).toBe(false);
    expect(inside!.name).toBe('in-off');
    expect(cidrContains('10.128.0.0/9', addr(inside!))).toBe(true);
  });
});
