// Lab names are DNS labels; customer names (pools, nodes) may hold dots and be long.
/** A DNS label made from a Calico name (pool names may hold dots and be long). */
export function dnsLabel(text: string, max = 40): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, max)
    .replace(/-$/, '');
  return s || 'x';
}
