import { describe, expect, it } from 'vitest';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import {
  configHash,
  helperCreateOptions,
  labContainerCreateOptions,
} from '../../../src/runtime/lab/containers.js';

const node: ContainerPlan = {
  name: 'node-1',
  role: 'node',
  sysctls: { 'net.ipv4.ip_forward': '1' },
  bridges: [],
  interfaces: [],
  routes: [],
  services: [],
};

describe('lab container create options', () => {
  it('has no network, only NET_ADMIN and NET_RAW, the sysctls, and labels naming lab, role and name', () => {
    const o = labContainerCreateOptions('lab1', node, 'egress-lab/node:x');
    expect(o.name).toBe('lab1-node-1');
    expect(o.HostConfig?.NetworkMode).toBe('none');
    expect(o.HostConfig?.CapAdd).toEqual(['NET_ADMIN', 'NET_RAW']);
    expect(o.HostConfig?.Privileged).toBeUndefined();
    expect(o.HostConfig?.Sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(o.Labels).toMatchObject({
      'egress-lab.lab': 'lab1',
      'egress-lab.role': 'node',
      'egress-lab.name': 'node-1',
      'egress-lab.config': configHash(node, 'egress-lab/node:x'),
    });
  });
  it('changes the config hash when a create-time setting changes, not otherwise', () => {
    const h = configHash(node, 'i');
    expect(configHash({ ...node, routes: [{ dst: 'default' }] }, 'i')).toBe(h);
    expect(configHash({ ...node, sysctls: { 'net.ipv4.ip_forward': '0' } }, 'i')).not.toBe(h);
    expect(configHash(node, 'j')).not.toBe(h);
  });
  it('refuses names and sysctls that are not what they claim', () => {
    expect(() => labContainerCreateOptions('Lab_1', node, 'i')).toThrow(/lab name/);
    expect(() => labContainerCreateOptions('lab', { ...node, name: '../x' }, 'i')).toThrow(
      /container name/,
    );
    expect(() =>
      labContainerCreateOptions('lab', { ...node, sysctls: { 'kernel.panic': '1' } }, 'i'),
    ).toThrow(/net\.\*/);
  });
  it('gives the wiring helper the host PID namespace but still no network', () => {
    const h = helperCreateOptions('lab1', 'i', 'abc');
    expect(h.HostConfig).toMatchObject({ NetworkMode: 'none', PidMode: 'host' });
    expect(h.HostConfig?.CapAdd).toEqual(['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE']);
    expect(h.Labels).toMatchObject({ 'egress-lab.lab': 'lab1', 'egress-lab.role': 'helper' });
    expect(h.HostConfig?.AutoRemove).toBe(true); // the engine removes it once it has answered
  });
  it('puts the wiring helper in a lab container’s network namespace when given its ID, nothing else', () => {
    const id = 'a'.repeat(64);
    expect(helperCreateOptions('lab1', 'i', 'abc', id).HostConfig?.NetworkMode).toBe(
      `container:${id}`,
    );
    expect(() => helperCreateOptions('lab1', 'i', 'abc', 'host')).toThrow(/not a container ID/);
    expect(() => helperCreateOptions('lab1', 'i', 'abc', `${id};x`)).toThrow(/not a container ID/);
  });
});
