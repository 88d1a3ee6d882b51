// FelixConfiguration defaultEndpointToHostAction: what happens to a packet from a workload to its
// own host once the workload's egress policy allowed it (felix/rules/static.go
// filterWorkloadToHostChain). libcalico-go has no validator tag for it; the CRD's pattern
// `^(?i)(Drop|Accept|Return)?$` is what refuses a bad value, in the API server's words.
import type { FelixConfiguration } from '../model/calico.js';
import type { CalicoFieldError } from './field-error.js';

const PATTERN = '^(?i)(Drop|Accept|Return)?$';
const VALUES = ['Drop', 'Accept', 'Return'] as const;

export function endpointToHostFelixField(
  raw: Record<string, unknown>,
  spec: FelixConfiguration['spec'],
  errors: CalicoFieldError[],
): void {
  const v = raw.defaultEndpointToHostAction;
  if (v === undefined || v === null || v === '') return;
  // Felix upper-cases it (config_params.go oneof(DROP,RETURN,ACCEPT)): any case is the same value.
  const found =
    typeof v === 'string' ? VALUES.find((x) => x.toLowerCase() === v.toLowerCase()) : undefined;
  if (!found) {
    errors.push({
      name: 'DefaultEndpointToHostAction',
      value: String(v),
      reason: `spec.defaultEndpointToHostAction in body should match '${PATTERN}'`,
      path: ['spec', 'defaultEndpointToHostAction'],
    });
    return;
  }
  spec.defaultEndpointToHostAction = found;
}
