import { describe, expect, it } from 'vitest';
import {
  parseDeb822Sources,
  parseSourcesList,
  pickMirror,
} from '../../../src/runtime/image/apt-sources.js';

// The shape of Debian 12's /etc/apt/sources.list.d/debian.sources (security listed too).
const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main
`;

describe('apt sources', () => {
  it('picks the mirror that carries the suite, not the security one or deb-src', () => {
    const s = parseDeb822Sources(DEB822);
    expect(s.map((x) => x.uri)).toEqual([
      'http://mirror.example/debian',
      'http://mirror.example/debian-security',
    ]);
    expect(pickMirror(s, 'bookworm')).toBe('http://mirror.example/debian');
  });

  it('reads one-line sources.list, options included', () => {
    const s = parseSourcesList(
      '# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian/ bookworm main contrib\ndeb http://m.example/debian-security bookworm-security main\n',
    );
    expect(s[0]).toEqual({
      uri: 'http://m.example/debian/',
      suites: ['bookworm'],
      components: ['main', 'contrib'],
    });
    expect(pickMirror(s, 'bookworm')).toBe('http://m.example/debian');
  });

  it('falls back to a plain suite of another release, and says nothing when there is none', () => {
    const s = parseSourcesList('deb http://m.example/debian trixie main\n');
    expect(pickMirror(s, 'bookworm')).toBe('http://m.example/debian');
    expect(
      pickMirror(parseSourcesList('deb http://m.example/sec bookworm-security main'), 'bookworm'),
    ).toBeUndefined();
    expect(pickMirror([], 'bookworm')).toBeUndefined();
  });

  it('skips disabled stanzas', () => {
    expect(
      parseDeb822Sources('Types: deb\nURIs: http://x\nSuites: bookworm\nEnabled: no\n'),
    ).toEqual([]);
  });
});
