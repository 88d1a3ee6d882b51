// Files in lab containers (the service's lab record, in the router). Through the
// container's agent when one runs (a `get` or `put` request: a few ms), else through the
// engine's archive API, which costs ~30-40 ms a call here (the engine archives in a child
// process of its own), whatever the file's size.
import type Dockerode from 'dockerode';
import type { ApplyAgent } from '../agent/apply-agent.js';
import { dockerName } from './names.js';
import { buildTar } from '../engine/tar.js';
import { EngineStuckError, engineCallDeadlineMs, withEngineDeadline } from '../engine/deadline.js';

export interface LabFile {
  container: string; // lab-local name
  dir: string; // absolute
  name: string;
  content: string;
}

const PATH_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** `dir/name`, checked: an absolute path of plain segments (no `..`, nothing to quote). */
export function labFilePath(dir: string, name: string): string {
  const where = `${dir}/${name}`;
  if (
    !dir.startsWith('/') ||
    !dir
      .split('/')
      .slice(1)
      .every((d) => PATH_SEGMENT.test(d))
  )
    throw new Error(`file ${where}: the directory must be an absolute plain path`);
  if (!PATH_SEGMENT.test(name)) throw new Error(`file ${where}: not a plain file name`);
  return where;
}

export async function writeLabFile(
  docker: Dockerode,
  lab: string,
  file: LabFile,
  agent?: ApplyAgent,
): Promise<void> {
  const where = labFilePath(file.dir, file.name);
  try {
    if (agent?.alive) {
      const tar = buildTar([{ name: where.slice(1), content: file.content }]);
      const r = await agent.request('put', tar, 30_000).catch(() => undefined);
      if (r?.exitCode === 0) return;
      if (r) throw new Error((r.stderr || r.stdout).trim());
    }
    await docker
      .getContainer(dockerName(lab, file.container))
      .putArchive(buildTar([{ name: file.name, content: file.content }]), { path: file.dir });
  } catch (e) {
    throw new Error(`could not write ${where} in ${file.container}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** The file's text, or undefined when it (or its container) is not there. */
export async function readLabFile(
  docker: Dockerode,
  lab: string,
  container: string,
  path: string,
  agent?: ApplyAgent,
): Promise<string | undefined> {
  const slash = path.lastIndexOf('/');
  labFilePath(path.slice(0, slash), path.slice(slash + 1));
  if (agent?.alive) {
    const r = await agent.request('get', path, 30_000).catch(() => undefined);
    if (r?.exitCode === 0) return r.stdout;
    if (r?.exitCode === 44) return undefined; // the agent's "no such file"
  }
  let tar: Buffer;
  try {
    const stream = await docker.getContainer(dockerName(lab, container)).getArchive({ path });
    // The archive's body too: an engine stuck mid-stream must not hold the read forever.
    tar = await withEngineDeadline(
      `the archive of ${path} from container ${dockerName(lab, container)}`,
      readAll(stream),
      engineCallDeadlineMs('transfer'),
    ).finally(() => (stream as { destroy?: () => void }).destroy?.());
  } catch (e) {
    if (e instanceof EngineStuckError) throw e; // not "no file": the engine did not say
    return undefined; // no such file, or the container is gone
  }
  return firstTarFile(tar)?.toString('utf8');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** The body of the first regular file in a tar archive. */
export function firstTarFile(tar: Buffer): Buffer | undefined {
  if (tar.length < 512) return undefined;
  const size = parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim(), 8);
  if (!Number.isFinite(size)) return undefined;
  return tar.subarray(512, 512 + size);
}
