// Calico's host-side veth name for a pod: "cali" + the first 11 hex characters of
// SHA-1("<namespace>.<pod>") (VethNameForWorkload in libcalico-go's k8s conversion, used
// by cni-plugin/pkg/dataplane/linux/dataplane_linux.go). 15 characters, the kernel's limit.
import { createHash } from 'node:crypto';

export function calicoVethName(namespace: string, pod: string): string {
  return `cali${createHash('sha1').update(`${namespace}.${pod}`).digest('hex').slice(0, 11)}`;
}
