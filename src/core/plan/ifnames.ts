// Interface names on the router, readable in tcpdump (`f-node-1`, `h-internet`) and always
// valid: at most 15 characters (IFNAMSIZ - 1), no '/', ':' or whitespace, unique. A name
// that does not fit falls back to a numbered one (`fab3`, `seg2`).
export const MAX_IFNAME = 15;

function valid(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_IFNAME &&
    /^[A-Za-z0-9_.-]+$/.test(name) &&
    name !== '.' &&
    name !== '..'
  );
}

/** Names `<prefix><name>` for each entry, or `<fallback><index+1>` when that is not a valid, unique name. */
export function portNames(
  prefix: string,
  fallback: string,
  names: string[],
  taken: Set<string>,
): string[] {
  return names.map((n, i) => {
    let candidate = `${prefix}${n}`;
    if (!valid(candidate) || taken.has(candidate)) candidate = `${fallback}${i + 1}`;
    let k = i + 1;
    while (taken.has(candidate)) candidate = `${fallback}${++k}`;
    taken.add(candidate);
    return candidate;
  });
}
