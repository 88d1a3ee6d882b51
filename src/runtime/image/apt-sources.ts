// Which Debian mirror this machine already uses: the debootstrap fallback builds the
// lab image from it, so no host name is ever hard-coded. Pure parsing; the reading
// of /etc/apt lives in image-debootstrap.ts.

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

/** deb822 `.sources` text: stanzas separated by blank lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last) ?? ''} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      last = (m[1] as string).toLowerCase();
      fields.set(last, (m[2] as string).trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled') === 'no') continue;
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of words('uris')) {
      out.push({ uri, suites: words('suites'), components: words('components') });
    }
  }
  return out;
}

/** One-line `sources.list` format: `deb [opts] URI SUITE COMPONENT...`. */
export function parseSourcesList(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ')) continue;
    const words = line
      .slice(4)
      .replace(/\[[^\]]*\]/, '')
      .trim()
      .split(/\s+/);
    const [uri, suite, ...components] = words;
    if (uri && suite) out.push({ uri, suites: [suite], components });
  }
  return out;
}

/**
 * The mirror to bootstrap `suite` from: a source that lists the suite itself
 * (not -security/-updates), else any plain Debian-looking source.
 */
export function pickMirror(sources: readonly AptSource[], suite: string): string | undefined {
  const plain = (s: AptSource): boolean =>
    s.suites.some((x) => !/-(security|updates|backports)$/.test(x) && !x.includes('/'));
  const exact = sources.find((s) => s.suites.includes(suite));
  const chosen = exact ?? sources.find(plain);
  return chosen?.uri.replace(/\/+$/, '');
}
