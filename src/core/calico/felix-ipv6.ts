// FelixConfiguration ipv6Support (felix/config/config_params.go `Ipv6Support bool
// config:"bool;true"`; the API's `IPv6Support *bool`, a JSON boolean): true (the default)
// makes Felix program IPv6 as well; false makes felix/dataplane/driver.go pass
// IPv6Enabled: false to the dataplane, and int_dataplane.go then creates no IPv6 tables, sets,
// route table or endpoint manager. What the lab does with it: plan/node-dataplane.ts (via
// dataplane/felix-nat6.ts felixIpv6Off) and lab-file/checks-ipv6.ts (the warning).
import type { FelixConfiguration } from '../model/calico.js';
import type { CalicoFieldError } from './field-error.js';

export function ipv6SupportField(
  raw: { ipv6Support?: unknown },
  spec: FelixConfiguration['spec'],
  errors: CalicoFieldError[],
): void {
  const v = raw.ipv6Support;
  if (v === undefined || v === null) return;
  // A boolean in the API (as wireguardEnabled, felix-encap.ts).
  if (typeof v !== 'boolean')
    errors.push({
      name: 'IPv6Support',
      value: String(v),
      reason: 'must be true or false',
      path: ['spec', 'ipv6Support'],
    });
  else spec.ipv6Support = v;
}

/** Whether a node's Felix programs IPv6 (unset: true, Felix's default). */
export function felixIpv6Enabled(felix: FelixConfiguration): boolean {
  return felix.spec.ipv6Support !== false;
}
