// FelixConfiguration's encapsulation fields (api/pkg/apis/projectcalico/v3/felixconfig.go:
// vxlanVNI, vxlanPort, vxlanMTU, ipipMTU, wireguardEnabled, wireguardInterfaceName,
// wireguardMTU). The API declares them as plain integers (no validation tag); the bounds below
// are the kernel's, which would refuse the device Felix then tries to create.
import type { FelixConfiguration } from '../model/calico.js';
import type { CalicoFieldError } from './field-error.js';

type Spec = FelixConfiguration['spec'];

const IFACE = /^[a-zA-Z0-9_.-]{1,15}$/;

function intField(
  raw: Record<string, unknown>,
  key: 'vxlanVNI' | 'vxlanPort' | 'vxlanMTU' | 'ipipMTU' | 'wireguardMTU',
  min: number,
  max: number,
  what: string,
  spec: Spec,
  errors: CalicoFieldError[],
): void {
  const v = raw[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    errors.push({
      name: key.charAt(0).toUpperCase() + key.slice(1),
      value: v as string | number,
      reason: `must be an integer from ${min} to ${max} (${what})`,
      path: ['spec', key],
    });
    return;
  }
  spec[key] = v;
}

export function encapFelixFields(
  raw: Record<string, unknown>,
  spec: Spec,
  errors: CalicoFieldError[],
): void {
  intField(raw, 'vxlanVNI', 1, 16777215, 'a VXLAN network identifier has 24 bits', spec, errors);
  intField(raw, 'vxlanPort', 1, 65535, 'a UDP port', spec, errors);
  // 0 = auto-detect (the default): the host MTU minus the tunnel's overhead.
  intField(raw, 'vxlanMTU', 0, 65535, '0 detects it from the host interface', spec, errors);
  intField(raw, 'ipipMTU', 0, 65535, '0 detects it from the host interface', spec, errors);
  intField(raw, 'wireguardMTU', 0, 65535, '0 detects it from the host interface', spec, errors);
  const wg = raw.wireguardEnabled;
  if (wg !== undefined && wg !== null) {
    if (typeof wg !== 'boolean')
      errors.push({
        name: 'WireguardEnabled',
        value: String(wg),
        reason: 'must be true or false',
        path: ['spec', 'wireguardEnabled'],
      });
    else spec.wireguardEnabled = wg;
  }
  const name = raw.wireguardInterfaceName;
  if (name !== undefined && name !== null && name !== '') {
    if (typeof name !== 'string' || !IFACE.test(name))
      errors.push({
        name: 'WireguardInterfaceName',
        value: String(name),
        reason: 'must be a valid interface name',
        path: ['spec', 'wireguardInterfaceName'],
      });
    else spec.wireguardInterfaceName = name;
  }
}
