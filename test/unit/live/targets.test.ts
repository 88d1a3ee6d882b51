import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import {
  describeAddress,
  isLabAddress,
  nodeAddresses,
  podInfo,
  resolveTarget,
} from '../../../src/service/live/targets.js';

const text = readFileSync(
  new URL('../../../lab-templates/outgoing-nat.yaml', import.meta.url),
  'utf8',
);
const lab = loadLab([{ file: 'outgoing-nat.yaml', text }]);
const data = { lab, ipam: planLab(lab).ipam };

describe('targets in a running lab', () => {
  it('a pod: its node and its IPAM address (inside the pool)', () => {
    const p = podInfo(data, 'web-1');
    expect(p.node).toBe('node-1');
    expect(isLabAddress(data, p.address)).toBe(true);
    expect(p.address.startsWith('192.168.')).toBe(true);
    expect(() => podInfo(data, 'nope')).toThrow(/no pod 'nope'.*web-1, web-2/);
  });

  it('names resolve to their owner, addresses too', () => {
    expect(resolveTarget(data, 'internet')).toEqual({
      address: '203.0.113.10',
      container: 'internet',
      role: 'host',
    });
    expect(resolveTarget(data, 'web-2')).toMatchObject({
      container: 'web-2',
      role: 'pod',
      node: 'node-2',
    });
    expect(resolveTarget(data, '172.30.0.12')).toEqual({
      address: '172.30.0.12',
      container: 'node-2',
      role: 'node',
    });
    expect(resolveTarget(data, '203.0.113.99')).toEqual({ address: '203.0.113.99' });
    expect(nodeAddresses(data, 'node-1')).toEqual(['172.30.0.11']);
  });

  it('refuses addresses outside the lab and unknown names', () => {
    expect(() => resolveTarget(data, '8.8.8.8')).toThrow(/not an address of lab outgoing-nat/);
    expect(() => resolveTarget(data, '10.1.2.3')).toThrow(/not an address/);
    expect(() => resolveTarget(data, 'google')).toThrow(/no host, pod or node 'google'/);
  });

  it('describes an address by its owner', () => {
    expect(describeAddress(data, '172.30.0.11')).toBe('172.30.0.11 (node node-1)');
    expect(describeAddress(data, '198.51.100.1')).toBe('198.51.100.1');
  });
});
