// BGPConfiguration, BGPPeer and FelixConfiguration checks. Expected reasons are Calico's strings
// from libcalico-go/lib/validator/v3/validator.go (validateFelixConfigSpec, validateBGPPeerSpec,
// validatePort) and the defaults of api/pkg/apis/projectcalico/v3/bgpconfig.go.
import { describe, expect, it } from 'vitest';
import {
  parseASNumber,
  peerIPAddress,
  validateBGPConfiguration,
  validateBGPPeer,
} from '../../../src/core/calico/bgp.js';
import { renderFieldError } from '../../../src/core/calico/field-error.js';
import { parseNatPortRange, validateFelixConfiguration } from '../../../src/core/calico/felix.js';

const felix = (spec: Parameters<typeof validateFelixConfiguration>[0]['spec']) =>
  validateFelixConfiguration({ name: 'default', spec });

describe('FelixConfiguration outgoing-NAT fields', () => {
  it('accepts an IPv4 natOutgoingAddress and rejects anything else', () => {
    expect(felix({ natOutgoingAddress: '172.30.0.11' }).resource?.spec).toEqual({
      natOutgoingAddress: '172.30.0.11',
    });
    for (const bad of ['fd00::1', '172.30.0.300', 'node-1', '172.30.0.0/24']) {
      expect(felix({ natOutgoingAddress: bad }).errors.map(renderFieldError)).toEqual([
        `error with field NATOutgoingAddress = '${bad}' (is not a valid IPv4 address)`,
      ]);
    }
  });

  it('accepts interface names and wildcards (Felix ifaceFilter) for iptablesNATOutgoingInterfaceFilter', () => {
    for (const ok of ['eth0', 'eth+', 'bond0.100', 'ens1f0:1']) {
      expect(felix({ iptablesNATOutgoingInterfaceFilter: ok }).errors, ok).toEqual([]);
    }
    for (const bad of ['eth0;reboot', 'a-very-long-interface', 'eth 0', 'eth0/1']) {
      expect(
        felix({ iptablesNATOutgoingInterfaceFilter: bad }).errors.map((e) => e.name),
        bad,
      ).toEqual(['IptablesNATOutgoingInterfaceFilter']);
    }
  });

  it('parses natPortRange min:max within 1..65535 with min <= max', () => {
    expect(parseNatPortRange('32768:65535')).toEqual({ range: '32768:65535' });
    expect(parseNatPortRange(40000)).toEqual({ range: '40000:40000' });
    expect(parseNatPortRange('100:100')).toEqual({ range: '100:100' });
    expect(renderFieldError(parseNatPortRange('200:100').error!)).toBe(
      "error with field Port = '100' (port range invalid)",
    );
    expect(renderFieldError(parseNatPortRange('0:100').error!)).toBe(
      "error with field Port = '0' (port range invalid, port number must be between 1 and 65535)",
    );
    expect(parseNatPortRange('1:65536').error?.reason).toBe(
      'port number must be between 1 and 65535',
    );
    expect(parseNatPortRange('1-100').error?.reason).toMatch(/expected <min>:<max>/);
    expect(parseNatPortRange('http').error).toBeDefined();
  });

  it('accepts the two natOutgoingExclusions values only', () => {
    expect(
      felix({ natOutgoingExclusions: 'IPPoolsOnly' }).resource?.spec.natOutgoingExclusions,
    ).toBe('IPPoolsOnly');
    expect(felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }).errors).toEqual([]);
    expect(felix({ natOutgoingExclusions: 'ippoolsonly' }).errors.map(renderFieldError)).toEqual([
      "error with field NATOutgoingExclusions = 'ippoolsonly' (Reason: failed to validate Field: NATOutgoingExclusions because of Tag: oneof )",
    ]);
  });
});

describe('BGPConfiguration', () => {
  it('defaults asNumber to 64512 and the node-to-node mesh to on', () => {
    expect(validateBGPConfiguration({ name: 'default', spec: {} }).resource?.spec).toEqual({
      asNumber: 64512,
      nodeToNodeMeshEnabled: true,
    });
  });
  it('accepts AS numbers as numbers, strings and asdot', () => {
    expect(parseASNumber(64512)).toBe(64512);
    expect(parseASNumber('4294967295')).toBe(4294967295);
    expect(parseASNumber('1.10')).toBe(65546);
    expect(parseASNumber(4294967296)).toBeUndefined();
    expect(parseASNumber('AS64512')).toBeUndefined();
    expect(parseASNumber(1.5)).toBeUndefined();
  });
  it('refuses a mesh password with the mesh off', () => {
    const r = validateBGPConfiguration({
      name: 'default',
      spec: {
        nodeToNodeMeshEnabled: false,
        nodeMeshPassword: { secretKeyRef: { name: 'a', key: 'b' } },
      },
    });
    expect(r.errors.map(renderFieldError)).toEqual([
      'error with field Spec.NodeMeshPassword (spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is disabled)',
    ]);
  });
});

describe('BGPPeer', () => {
  it('accepts peerIP with or without a port', () => {
    expect(peerIPAddress('172.30.0.1')).toBe('172.30.0.1');
    expect(peerIPAddress('172.30.0.1:179')).toBe('172.30.0.1');
    expect(peerIPAddress('[fd00::1]:179')).toBe('fd00::1');
    expect(peerIPAddress('172.30.0.1:0')).toBeUndefined();
    expect(peerIPAddress('tor')).toBeUndefined();
  });
  it("applies validateBGPPeerSpec's exclusions", () => {
    const r = validateBGPPeer({
      name: 'p',
      spec: { node: 'node-1', nodeSelector: 'all()', peerIP: '172.30.0.1', asNumber: 64500 },
    });
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field Node = 'node-1' (Node field must be empty when NodeSelector is specified)",
    ]);
  });
  it("rejects a bad selector in exactly Calico's words (no parser detail)", () => {
    const r = validateBGPPeer({
      name: 'p',
      spec: { peerIP: '172.30.0.1', asNumber: 64500, nodeSelector: "zone = 'a'" },
    });
    expect(r.errors.map(renderFieldError)).toEqual([
      "error with field NodeSelector = 'zone = 'a'' (Reason: failed to validate Field: NodeSelector because of Tag: selector )",
    ]);
  });
  it('keeps the modelled fields', () => {
    const r = validateBGPPeer({
      name: 'tor',
      spec: {
        peerIP: '172.30.0.1',
        asNumber: '64500',
        keepOriginalNextHop: true,
        password: { secretKeyRef: { name: 's', key: 'k' } },
      },
    });
    expect(r.resource).toEqual({
      kind: 'BGPPeer',
      name: 'tor',
      spec: {
        peerIP: '172.30.0.1',
        asNumber: 64500,
        keepOriginalNextHop: true,
        password: { secretKeyRef: { name: 's', key: 'k' } },
      },
    });
  });
});
