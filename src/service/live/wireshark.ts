// "Open in Wireshark": a capture's pcap, live, into a Wireshark on the user's desktop. The
// service runs where the user is (the Electron main process, or `egress-lab serve` on
// 127.0.0.1), so it starts Wireshark itself as `wireshark -k -i -` and pipes the capture's
// pcap into it as tcpdump writes it — the same stream `egress-lab capture NAME -w -` gives a
// terminal. Wireshark reads a pcap stream on stdin with `-i -` and starts at once with `-k`.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ExecStream } from '../../runtime/engine/exec.js';

/** Where Wireshark is looked for: EGRESS_LAB_WIRESHARK, PATH, then each platform's usual place. */
export function wiresharkCandidates(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const out: string[] = [];
  if (env.EGRESS_LAB_WIRESHARK) return [env.EGRESS_LAB_WIRESHARK];
  const names = platform === 'win32' ? ['Wireshark.exe', 'wireshark.exe'] : ['wireshark'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const n of names) out.push(join(dir, n));
  // The installers' own places: the macOS app bundle, Windows' Program Files.
  if (platform === 'darwin') out.push('/Applications/Wireshark.app/Contents/MacOS/Wireshark');
  if (platform === 'win32') {
    for (const base of [env.ProgramFiles, env['ProgramFiles(x86)']].filter(Boolean))
      out.push(join(base!, 'Wireshark', 'Wireshark.exe'));
  }
  return out;
}

export function findWireshark(
  candidates: readonly string[] = wiresharkCandidates(),
  executable: (path: string) => boolean = isExecutable,
): string | undefined {
  return candidates.find(executable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const NO_WIRESHARK =
  'Wireshark was not found on this machine (looked on PATH and where its installers put it): ' +
  'install it, or set EGRESS_LAB_WIRESHARK to its program; `egress-lab capture NAME -w - | wireshark -k -i -` does the same from a terminal';

/**
 * Pipes `pcap` (a stream of the capture's pcap bytes) into a new Wireshark: its stdin's
 * backpressure pauses the stream, and Wireshark closing ends the stream.
 */
export function pipeToWireshark(
  program: string,
  pcap: ExecStream,
  start: (program: string, args: string[]) => ChildProcess = (p, a) =>
    spawn(p, a, { stdio: ['pipe', 'ignore', 'ignore'], detached: true }),
): ChildProcess {
  const child = start(program, ['-k', '-i', '-']);
  const stdin = child.stdin!;
  const stopStream = (): void => void pcap.kill('TERM').catch(() => undefined);
  pcap.on('stdout', (b: Buffer) => {
    if (!stdin.writable) return;
    if (!stdin.write(b)) pcap.pause();
  });
  stdin.on('drain', () => pcap.resume());
  // Wireshark closed (EPIPE on its stdin) or could not start: the stream has no reader left.
  stdin.on('error', stopStream);
  child.on('error', stopStream);
  child.on('exit', stopStream);
  void pcap.done.then(
    () => stdin.end(),
    () => stdin.end(),
  );
  child.unref();
  return child;
}
