// Names that reach Docker and the generated scripts are checked here, once more,
// even though the core validated them: the runtime may be driven by other callers.

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function checkLabName(name: string): string {
  if (!DNS_LABEL.test(name)) {
    throw new Error(
      `lab name "${name}" is not valid: use lower-case letters, digits and '-' (a DNS label, at most 63 characters)`,
    );
  }
  return name;
}

export function checkContainerName(name: string): string {
  if (!DNS_LABEL.test(name)) {
    throw new Error(
      `container name "${name}" is not valid: use lower-case letters, digits and '-'`,
    );
  }
  return name;
}

export function checkIfname(name: string): string {
  if (!IFNAME.test(name) || name === '.' || name === '..') {
    throw new Error(
      `interface name "${name}" is not valid (1-15 characters: letters, digits, '_', '.', '-')`,
    );
  }
  return name;
}

export function checkMac(mac: string): string {
  if (!MAC.test(mac)) throw new Error(`MAC address "${mac}" is not valid`);
  return mac.toLowerCase();
}

export function dockerName(lab: string, container: string): string {
  return `${lab}-${container}`;
}
