// BGPConfiguration and BGPPeer: defaults and the checks of
// libcalico-go/lib/validator/v3/validator.go (field tags, validateBGPPeerSpec,
// validateBGPConfigurationSpec) for the fields the lab uses; other v3.30 fields are accepted
// by the loader and not modelled.
import { validateServiceIPBlocks, type ServiceIPBlocksInput } from './service-ips.js';
import type { BGPConfiguration, BGPPeer } from '../model/calico.js';
import { parseIP } from '../net/cidr.js';
import { tagReason, type CalicoFieldError } from './field-error.js';
import { selectorTagError, validateObjectMeta } from './metadata.js';
import { isDns1123Subdomain } from './names.js';
import { validateSelector } from './selector.js';

/** spec.asNumber as a number (plain or dotted), `fallback` when absent; a bad one is an error. */
function checkedASNumber(
  value: number | string | undefined,
  fallback: number,
  errors: CalicoFieldError[],
): number {
  if (value === undefined) return fallback;
  const n = parseASNumber(value);
  if (n !== undefined) return n;
  errors.push({ name: 'ASNumber', value, reason: 'invalid AS number', path: ['spec', 'asNumber'] });
  return fallback;
}

export const DEFAULT_AS_NUMBER = 64512;

export interface BGPConfigurationInput {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: {
    asNumber?: number | string;
    nodeToNodeMeshEnabled?: boolean;
    logSeverityScreen?: string;
    listenPort?: number;
    nodeMeshPassword?: unknown;
    nodeMeshMaxRestartTime?: unknown;
  } & ServiceIPBlocksInput;
}

export interface BGPPeerInput {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: {
    node?: string;
    nodeSelector?: string;
    peerIP?: string;
    asNumber?: number | string;
    peerSelector?: string;
    keepOriginalNextHop?: boolean;
    password?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
    sourceAddress?: string;
  };
}

const LOG_LEVEL = /^(Trace|Debug|Info|Warning|Error|Fatal)$/;
const SOURCE_ADDRESS = /^(UseNodeIP|None)$/;

/** numorstring.ASNumber: a number, a decimal string, or asdot "A.B"; undefined when invalid. */
export function parseASNumber(v: number | string): number | undefined {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : undefined;
  }
  const plain = /^[0-9]+$/.exec(v);
  if (plain) {
    const n = Number(v);
    return n <= 0xffffffff ? n : undefined;
  }
  const dot = /^([0-9]+)\.([0-9]+)$/.exec(v);
  if (dot) {
    const hi = Number(dot[1]);
    const lo = Number(dot[2]);
    if (hi <= 0xffff && lo <= 0xffff) return hi * 65536 + lo;
  }
  return undefined;
}

/** The IP of a peerIP that may carry a port ("10.0.0.1:179", "[fd00::1]:179"); undefined when invalid. */
export function peerIPAddress(peerIP: string): string | undefined {
  const v4port = /^([0-9.]+):([0-9]+)$/.exec(peerIP);
  const v6port = /^\[([0-9a-fA-F:.]+)\]:([0-9]+)$/.exec(peerIP);
  const m = v4port ?? v6port;
  if (m) {
    const port = Number(m[2]);
    if (!(port >= 1 && port <= 65535)) return undefined;
    const ip = parseIP(m[1]!);
    return ip ? ip.toString() : undefined;
  }
  const ip = parseIP(peerIP);
  return ip ? ip.toString() : undefined;
}

export function defaultBGPConfiguration(): BGPConfiguration {
  return {
    kind: 'BGPConfiguration',
    name: 'default',
    spec: { asNumber: DEFAULT_AS_NUMBER, nodeToNodeMeshEnabled: true },
  };
}

export function validateBGPConfiguration(input: BGPConfigurationInput): {
  resource?: BGPConfiguration;
  errors: CalicoFieldError[];
} {
  const s = input.spec;
  const errors = validateObjectMeta(input.name, input.labels, input.annotations);
  const asNumber = checkedASNumber(s.asNumber, DEFAULT_AS_NUMBER, errors);
  if (
    s.logSeverityScreen !== undefined &&
    s.logSeverityScreen !== '' &&
    !LOG_LEVEL.test(s.logSeverityScreen)
  ) {
    errors.push({
      name: 'LogSeverityScreen',
      value: s.logSeverityScreen,
      reason: tagReason('LogSeverityScreen', 'logLevel'),
      path: ['spec', 'logSeverityScreen'],
    });
  }
  if (s.listenPort !== undefined && !(s.listenPort >= 1 && s.listenPort <= 65535)) {
    errors.push({
      name: 'ListenPort',
      value: s.listenPort,
      reason: tagReason('ListenPort', 'gt'),
      path: ['spec', 'listenPort'],
    });
  }
  const meshOff = s.nodeToNodeMeshEnabled === false;
  if (meshOff && s.nodeMeshPassword !== undefined) {
    errors.push({
      name: 'Spec.NodeMeshPassword',
      reason: 'spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is disabled',
      path: ['spec', 'nodeMeshPassword'],
    });
  }
  if (meshOff && s.nodeMeshMaxRestartTime !== undefined) {
    errors.push({
      name: 'Spec.NodeMeshMaxRestartTime',
      reason: 'spec.NodeMeshMaxRestartTime cannot be set if spec.NodeToNodeMesh is disabled',
      path: ['spec', 'nodeMeshMaxRestartTime'],
    });
  }
  const serviceIPs = validateServiceIPBlocks(s);
  errors.push(...serviceIPs.errors);
  if (errors.length > 0) return { errors };
  const spec: BGPConfiguration['spec'] = {
    asNumber,
    nodeToNodeMeshEnabled: s.nodeToNodeMeshEnabled ?? true,
    ...serviceIPs.blocks,
  };
  if (s.logSeverityScreen) spec.logSeverityScreen = s.logSeverityScreen;
  if (s.listenPort !== undefined) spec.listenPort = s.listenPort;
  return { resource: { kind: 'BGPConfiguration', name: input.name, spec }, errors };
}

export function validateBGPPeer(input: BGPPeerInput): {
  resource?: BGPPeer;
  errors: CalicoFieldError[];
} {
  const s = input.spec;
  const errors = validateObjectMeta(input.name, input.labels, input.annotations);
  if (s.node && !isDns1123Subdomain(s.node)) {
    errors.push({
      name: 'Node',
      value: s.node,
      reason: tagReason('Node', 'name'),
      path: ['spec', 'node'],
    });
  }
  for (const [field, key] of [
    ['NodeSelector', 'nodeSelector'],
    ['PeerSelector', 'peerSelector'],
  ] as const) {
    const sel = s[key];
    if (!sel) continue;
    const err = validateSelector(sel);
    if (err) errors.push(selectorTagError(field, sel, ['spec', key]));
  }
  let peerIP = '';
  if (s.peerIP) {
    const ip = peerIPAddress(s.peerIP);
    if (ip === undefined) {
      errors.push({
        name: 'PeerIP',
        value: s.peerIP,
        reason: tagReason('PeerIP', 'IP:port'),
        path: ['spec', 'peerIP'],
      });
    } else peerIP = s.peerIP;
  }
  const asNumber = checkedASNumber(s.asNumber, 0, errors);
  if (
    s.sourceAddress !== undefined &&
    s.sourceAddress !== '' &&
    !SOURCE_ADDRESS.test(s.sourceAddress)
  ) {
    errors.push({
      name: 'SourceAddress',
      value: s.sourceAddress,
      reason: tagReason('SourceAddress', 'sourceAddress'),
      path: ['spec', 'sourceAddress'],
    });
  }
  // validateBGPPeerSpec
  if (s.node && s.nodeSelector) {
    errors.push({
      name: 'Node',
      value: s.node,
      reason: 'Node field must be empty when NodeSelector is specified',
      path: ['spec', 'node'],
    });
  }
  if (s.peerIP && s.peerSelector) {
    errors.push({
      name: 'PeerIP',
      value: s.peerIP,
      reason: 'PeerIP field must be empty when PeerSelector is specified',
      path: ['spec', 'peerIP'],
    });
  }
  if (asNumber !== 0 && s.peerSelector) {
    errors.push({
      name: 'ASNumber',
      value: asNumber,
      reason: 'ASNumber field must be empty when PeerSelector is specified',
      path: ['spec', 'asNumber'],
    });
  }
  if (errors.length > 0) return { errors };
  // peerIP is "" (and asNumber 0) for a peerSelector peer: it peers with the selected nodes.
  const spec: BGPPeer['spec'] = { peerIP, asNumber };
  if (s.node) spec.node = s.node;
  if (s.nodeSelector) spec.nodeSelector = s.nodeSelector;
  if (s.peerSelector) spec.peerSelector = s.peerSelector;
  if (s.keepOriginalNextHop !== undefined) spec.keepOriginalNextHop = s.keepOriginalNextHop;
  if (s.password?.secretKeyRef) {
    spec.password = {
      secretKeyRef: { name: s.password.secretKeyRef.name, key: s.password.secretKeyRef.key },
    };
  }
  return { resource: { kind: 'BGPPeer', name: input.name, spec }, errors };
}
