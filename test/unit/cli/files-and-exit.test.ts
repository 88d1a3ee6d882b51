// What the CLI reads and how it exits: only regular files of bounded size are read (a FIFO or
// /dev/zero are refused at once), nothing is written over, pasted hints are quoted, and all
// output reaches a slow pipe before the process exits.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathTaken, readInputFile } from '../../../src/shells/cli/files.js';
import { shellQuote } from '../../../src/shells/cli/quote.js';

const dir = mkdtempSync(join(tmpdir(), 'egress-cli-files-'));

describe('readInputFile', () => {
  it('reads a regular file', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'a: 1\n');
    expect(await readInputFile(join(dir, 'a.yaml'))).toBe('a: 1\n');
  });

  it('refuses devices, FIFOs, directories and oversized files without reading them', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readInputFile(fifo)).rejects.toMatchObject({ code: 'ENOTREG' });
    await expect(readInputFile('/dev/zero')).rejects.toMatchObject({ code: 'ENOTREG' });
    await expect(readInputFile(dir)).rejects.toMatchObject({ code: 'EISDIR' });
    writeFileSync(join(dir, 'big.yaml'), Buffer.alloc(4096, 'a'));
    await expect(readInputFile(join(dir, 'big.yaml'), 1024)).rejects.toMatchObject({
      code: 'EFBIG',
    });
  });

  it('pathTaken sees files, directories and devices, and not a missing name', async () => {
    expect(await pathTaken(dir)).toBe(true);
    expect(await pathTaken('/dev/null')).toBe(true);
    expect(await pathTaken(join(dir, 'nothing-here'))).toBe(false);
  });
});

describe('shellQuote', () => {
  it('leaves plain paths alone and quotes the rest so a pasted line is one word', () => {
    expect(shellQuote('labs/my-lab.yaml')).toBe('labs/my-lab.yaml');
    expect(shellQuote('my lab.yaml')).toBe(`'my lab.yaml'`);
    expect(shellQuote(`it's; rm -rf ~`)).toBe(`'it'\\''s; rm -rf ~'`);
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(`it's; $(x)`)}`], {
      encoding: 'utf8',
    });
    expect(out).toBe(`it's; $(x)`);
  });
});

// The built CLI (npm test builds before the unit suite runs).
const built = existsSync('dist/src/shells/cli/main.js');

describe.skipIf(!built)('the built CLI', () => {
  it('writes all of a large output to a pipe that is read slowly, then exits 0', async () => {
    const pools = Array.from(
      { length: 400 },
      (_, i) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-${i}}
spec: {cidr: 10.${i >> 8}.${i & 255}.0/24, natOutgoing: ${i % 2 === 1}}`,
    ).join('\n');
    const file = join(dir, 'many.yaml');
    writeFileSync(
      file,
      `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: many}
spec:
  fabric: {cidr: 172.30.0.0/24}
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1}]
${pools}
`,
    );
    // The reader sleeps before it reads: the pipe (64 KiB) fills up while the CLI writes.
    const out = join(dir, 'rules.json');
    const status = execFileSync(
      'bash',
      [
        '-c',
        'node bin/egress-lab.js rules "$1" --json | (sleep 0.5; cat > "$2"); echo "${PIPESTATUS[0]}"',
        'bash',
        file,
        out,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const text = readFileSync(out, 'utf8');
    expect(status.trim()).toBe('0');
    expect(text.length).toBeGreaterThan(65536);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('refuses a FIFO at once instead of waiting on it', () => {
    const fifo = join(dir, 'fifo2');
    execFileSync('mkfifo', [fifo]);
    let status = 0;
    let stderr = '';
    try {
      execFileSync('node', ['bin/egress-lab.js', 'validate', fifo], { timeout: 15_000 });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toContain('cannot read file: is not a regular file');
  });
});
