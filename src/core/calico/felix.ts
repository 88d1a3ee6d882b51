// FelixConfiguration: the outgoing-NAT fields the lab honours, checked as
// libcalico-go/lib/validator/v3/validator.go does (validateFelixConfigSpec, field tags) and
// numorstring.Port for natPortRange; nftablesMode's enum as the CRD declares it; bpfEnabled is
// kept so the lab can refuse true. Other Felix fields: lab-file/field-coverage.ts.
import type { FelixConfiguration, NatOutgoingExclusions, NftablesMode } from '../model/calico.js';
import { parseIP } from '../net/cidr.js';
import { tagReason, type CalicoFieldError } from './field-error.js';
import { validateObjectMeta } from './metadata.js';
import { encapFelixFields } from './felix-encap.js';
import { ipv6SupportField } from './felix-ipv6.js';
import { endpointToHostFelixField } from './felix-host.js';

export interface FelixConfigurationInput {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: {
    natOutgoingAddress?: string;
    iptablesNATOutgoingInterfaceFilter?: string;
    natPortRange?: string | number;
    natOutgoingExclusions?: string;
    nftablesMode?: string;
    bpfEnabled?: boolean;
    // Encapsulation fields (checked by encapFelixFields, felix-encap.ts).
    vxlanVNI?: unknown;
    vxlanPort?: unknown;
    vxlanMTU?: unknown;
    ipipMTU?: unknown;
    wireguardEnabled?: unknown;
    wireguardInterfaceName?: unknown;
    wireguardMTU?: unknown;
    ipv6Support?: unknown; // checked by ipv6SupportField (felix-ipv6.ts)
    defaultEndpointToHostAction?: unknown; // felix-host.ts
  };
}

const NFTABLES_MODES = ['Disabled', 'Enabled', 'Auto'] as const;
const IFACE_FILTER = /^[a-zA-Z0-9:._+-]{1,15}$/;

export function defaultFelixConfiguration(): FelixConfiguration {
  return { kind: 'FelixConfiguration', name: 'default', spec: {} };
}

/** natPortRange "min:max" (or a single port); returns canonical "min:max" or a field error. */
export function parseNatPortRange(
  v: string | number,
): { range: string; error?: undefined } | { range?: undefined; error: CalicoFieldError } {
  const path = ['spec', 'natPortRange'];
  const text = String(v);
  const m = /^([0-9]+)(?::([0-9]+))?$/.exec(text);
  if (!m) {
    return {
      error: {
        name: 'NATPortRange',
        value: text,
        reason: 'invalid port range: expected <min>:<max> with ports between 1 and 65535',
        path,
      },
    };
  }
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min > 65535 || max > 65535) {
    return {
      error: {
        name: 'NATPortRange',
        value: text,
        reason: 'port number must be between 1 and 65535',
        path,
      },
    };
  }
  if (min > max) return { error: { name: 'Port', value: max, reason: 'port range invalid', path } };
  if (min < 1) {
    return {
      error: {
        name: 'Port',
        value: min,
        reason: 'port range invalid, port number must be between 1 and 65535',
        path,
      },
    };
  }
  return { range: `${min}:${max}` };
}

export function validateFelixConfiguration(input: FelixConfigurationInput): {
  resource?: FelixConfiguration;
  errors: CalicoFieldError[];
} {
  const s = input.spec;
  const errors = validateObjectMeta(input.name, input.labels, input.annotations);
  const spec: FelixConfiguration['spec'] = {};
  if (s.natOutgoingAddress !== undefined && s.natOutgoingAddress !== '') {
    const ip = parseIP(s.natOutgoingAddress);
    if (!ip || ip.kind() !== 'ipv4') {
      errors.push({
        name: 'NATOutgoingAddress',
        value: s.natOutgoingAddress,
        reason: 'is not a valid IPv4 address',
        path: ['spec', 'natOutgoingAddress'],
      });
    } else spec.natOutgoingAddress = ip.toString();
  }
  const filter = s.iptablesNATOutgoingInterfaceFilter;
  if (filter !== undefined && filter !== '') {
    if (!IFACE_FILTER.test(filter)) {
      errors.push({
        name: 'IptablesNATOutgoingInterfaceFilter',
        value: filter,
        reason: tagReason('IptablesNATOutgoingInterfaceFilter', 'ifaceFilter'),
        path: ['spec', 'iptablesNATOutgoingInterfaceFilter'],
      });
    } else spec.iptablesNATOutgoingInterfaceFilter = filter;
  }
  if (s.natPortRange !== undefined && s.natPortRange !== '') {
    const r = parseNatPortRange(s.natPortRange);
    if (r.error) errors.push(r.error);
    else spec.natPortRange = r.range;
  }
  const excl = s.natOutgoingExclusions;
  if (excl !== undefined && excl !== '') {
    if (excl !== 'IPPoolsOnly' && excl !== 'IPPoolsAndHostIPs') {
      errors.push({
        name: 'NATOutgoingExclusions',
        value: excl,
        reason: tagReason('NATOutgoingExclusions', 'oneof'),
        path: ['spec', 'natOutgoingExclusions'],
      });
    } else spec.natOutgoingExclusions = excl as NatOutgoingExclusions;
  }
  // The CRD declares the enum (+kubebuilder:validation:Enum=Disabled;Enabled;Auto, v3.30 on):
  // the API server refuses any other spelling, case included, in these words.
  const nft = s.nftablesMode;
  if (nft !== undefined && nft !== '') {
    if (!(NFTABLES_MODES as readonly string[]).includes(nft)) {
      errors.push({
        name: 'NFTablesMode',
        value: nft,
        reason: `Unsupported value: ${JSON.stringify(nft)}: supported values: ${NFTABLES_MODES.map((m) => JSON.stringify(m)).join(', ')}`,
        path: ['spec', 'nftablesMode'],
      });
    } else spec.nftablesMode = nft as NftablesMode;
  }
  if (s.bpfEnabled !== undefined) spec.bpfEnabled = s.bpfEnabled;
  encapFelixFields(s, spec, errors);
  ipv6SupportField(s, spec, errors);
  endpointToHostFelixField(s, spec, errors);
  if (errors.length > 0) return { errors };
  return { resource: { kind: 'FelixConfiguration', name: input.name, spec }, errors };
}
