// SVG to PNG with a Debian tool when one is installed: rsvg-convert (librsvg2-bin), else
// ImageMagick's convert. Neither is a dependency of the lab: without them, PNG is refused with
// what to install.
import { spawn } from 'node:child_process';

function run(cmd: string, args: string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const png = Buffer.concat(out);
      // A PNG starts with \x89PNG: anything else is not one, whatever the exit status.
      if (code === 0 && png.subarray(0, 4).toString('latin1') === '\x89PNG') resolve(png);
      else reject(new Error(`${cmd}: ${err.trim() || `exit ${code}`}`));
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

export async function svgToPng(svg: string): Promise<Buffer> {
  const tried: string[] = [];
  for (const [cmd, args] of [
    ['rsvg-convert', ['--format=png']],
    ['convert', ['svg:-', 'png:-']],
  ] as const) {
    try {
      return await run(cmd, [...args], svg);
    } catch (e) {
      tried.push(
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${cmd}: not installed`
          : (e as Error).message,
      );
    }
  }
  throw new Error(
    `PNG needs rsvg-convert (apt-get install librsvg2-bin) or ImageMagick (apt-get install imagemagick); use -o svg otherwise. Tried: ${tried.join('; ')}`,
  );
}
