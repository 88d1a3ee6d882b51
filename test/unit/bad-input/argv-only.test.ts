// No shell line is ever built from user input: commands reach containers as argv arrays;
// the few shell scripts are constant text that takes values as positional parameters.
// Shown here for capture filters, traffic targets and names, by the argv each builds,
// by a scan of the sources, and by running the quoting the wiring script relies on.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContainerName, checkIfname, checkLabName } from '../../../src/runtime/lab/names.js';
import { shQuote } from '../../../src/runtime/wiring/quote.js';
import { tcpdumpArgv } from '../../../src/runtime/capture/tcpdump.js';
import { captureArgv, filterTokens } from '../../../src/service/live/capture-session.js';
import { loopArgv, pingArgv, TRAFFIC_LOOP } from '../../../src/service/live/traffic-output.js';

const HOSTILE = '; touch /tmp/pwned';
const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('capture filters stay argv words', () => {
  it('the runtime gives tcpdump a hostile token as one word, after --', () => {
    const argv = tcpdumpArgv({ iface: 'eth0', filter: [HOSTILE, '$(id)'] });
    expect(argv.slice(-3)).toEqual(['--', HOSTILE, '$(id)']);
    expect(argv[0]).toBe('tcpdump');
  });

  it('the service splits a filter string into words, never into a shell line', () => {
    const words = filterTokens(`icmp and ${HOSTILE}`);
    expect(words).toEqual(['icmp', 'and', ';', 'touch', '/tmp/pwned']);
    const argv = captureArgv({ filter: words, pcapPath: '/tmp/x.pcap', pcapLimitMb: 1 });
    expect(argv.slice(argv.indexOf('--') + 1)).toEqual(words);
    expect(filterTokens([HOSTILE])).toEqual([HOSTILE]);
  });

  it('an interface name cannot carry anything else', () => {
    for (const bad of ['eth0;id', '$(id)', '../x', 'a b', '-w/tmp/x'.slice(0, 16)])
      expect(() => tcpdumpArgv({ iface: bad })).toThrow(/interface name/);
  });
});

describe('traffic targets stay argv words', () => {
  it('ping gets the address after --', () => {
    expect(pingArgv(HOSTILE, 200).slice(-2)).toEqual(['--', HOSTILE]);
  });

  it('the TCP/UDP loop is constant text; the address is a positional parameter', () => {
    const argv = loopArgv('tcp', HOSTILE, 8080, 200);
    expect(argv.slice(0, 3)).toEqual(['sh', '-c', TRAFFIC_LOOP]);
    expect(argv).toContain(HOSTILE);
    expect(TRAFFIC_LOOP).not.toContain('pwned');
  });
});

describe('names', () => {
  it.each(['$(touch /tmp/pwned)', 'a;b', '../x', 'a/b', 'x`id`', 'a b', "a'b", 'a\nb', ''])(
    'refuses %j as a lab, container or interface name',
    (name) => {
      expect(() => checkLabName(name)).toThrow(/not valid/);
      expect(() => checkContainerName(name)).toThrow(/not valid/);
      expect(() => checkIfname(name)).toThrow(/not valid/);
    },
  );
});

describe('the sources', () => {
  const files = sourceFiles(SRC);

  it('never pass an interpolated string to sh -c', () => {
    const offenders: string[] = [];
    let seen = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const shC =
        /'(?:sh|bash)',\s*'-c',\s*([A-Za-z_][\w.]*|'(?:[^'\\\n]|\\.)*'|`[^`]*`|[^,\]\n]+)/g;
      for (const m of text.matchAll(shC)) {
        const arg = m[1]!.trim();
        seen++;
        // A constant: an UPPER_CASE name, or a string literal without interpolation.
        const constant =
          /^[A-Z][A-Z0-9_]*$/.test(arg) ||
          /^'(?:[^'\\\n]|\\.)*'$/.test(arg) ||
          (/^`[^`]*`$/.test(arg) && !arg.includes('${'));
        if (!constant) offenders.push(`${f.slice(SRC.length + 1)}: -c ${arg}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(seen).toBeGreaterThanOrEqual(4); // status, apply, exec's PID wrapper, traffic loop
  });

  it('run host processes with spawn/execFile and argv only (no exec/execSync strings)', () => {
    const offenders = files.filter((f) =>
      /\bexecSync\(|\bexec\(\s*[`'"]|shell:\s*true/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

describe('shQuote, the wiring script’s second defence', () => {
  it('makes any string one literal word for a real sh', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
        (word) => {
          const out = execFileSync('sh', ['-c', `printf '%s' ${shQuote(word)}`]).toString();
          expect(out).toBe(word);
        },
      ),
      { numRuns: 60 },
    );
  });
});
