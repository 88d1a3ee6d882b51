// ensureImage: the lab image, present or built. From a Dockerfile when the engine
// has or can pull debian:bookworm-slim; otherwise by debootstrap + import.
import type Dockerode from 'dockerode';
import { Readable } from 'node:stream';
import { BUILD_CONTEXT_FILES, baseImage, dockerfileText, imageTag } from './recipe.js';
import { importRootfs, rootfsTarball } from './debootstrap.js';
import { followDockerStream, noProgress, type ProgressFn } from '../util/progress.js';
import { buildTar } from '../engine/tar.js';
import { withTimeout } from '../util/concurrency.js';
import { EngineStuckError } from '../engine/deadline.js';

export type BuildMethod = 'dockerfile' | 'debootstrap';

async function hasImage(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (e) {
    if (e instanceof EngineStuckError) throw e; // not "no image": a build would hang too
    return false;
  }
}

/** Whether the base image is local or can be pulled quickly: the registry probe. */
async function baseAvailable(docker: Dockerode, onProgress: ProgressFn): Promise<boolean> {
  const BASE_IMAGE = baseImage();
  if (await hasImage(docker, BASE_IMAGE)) return true;
  onProgress('image', `probing registry: pulling ${BASE_IMAGE}`);
  try {
    const stream = (await withTimeout(
      docker.pull(BASE_IMAGE) as Promise<NodeJS.ReadableStream>,
      15_000,
      'registry probe timed out',
    )) as NodeJS.ReadableStream;
    await withTimeout(
      followDockerStream(stream, (l) => onProgress('image', l)),
      180_000,
      `pulling ${BASE_IMAGE} timed out`,
    );
    return hasImage(docker, BASE_IMAGE);
  } catch (e) {
    onProgress('image', `no registry (${(e as Error).message.split('\n')[0]}): using debootstrap`);
    return false;
  }
}

function chooseForced(): BuildMethod | undefined {
  const v = process.env.EGRESS_LAB_IMAGE_BUILD;
  return v === 'dockerfile' || v === 'debootstrap' ? v : undefined;
}

export async function buildFromDockerfile(
  docker: Dockerode,
  tag: string,
  onProgress: ProgressFn,
): Promise<void> {
  const context = Readable.from([
    buildTar([{ name: 'Dockerfile', content: dockerfileText() }, ...BUILD_CONTEXT_FILES]),
  ]);
  const stream = (await docker.buildImage(context, {
    t: tag,
    rm: true,
    forcerm: true, // no intermediate containers left behind, even on failure
  })) as NodeJS.ReadableStream;
  await followDockerStream(stream, (l) => onProgress('image', l));
}

export interface EnsureImageResult {
  tag: string;
  built: BuildMethod | 'present';
  ms: number;
}

/**
 * Makes sure the lab image for the current recipe exists on the engine; returns its tag.
 * A second call finds it and returns at once.
 */
export async function ensureImage(
  docker: Dockerode,
  onProgress: ProgressFn = noProgress,
): Promise<string> {
  return (await ensureImageDetailed(docker, onProgress)).tag;
}

export async function ensureImageDetailed(
  docker: Dockerode,
  onProgress: ProgressFn = noProgress,
): Promise<EnsureImageResult> {
  const started = Date.now();
  const tag = imageTag();
  if (await hasImage(docker, tag)) return { tag, built: 'present', ms: Date.now() - started };
  onProgress('image', `building ${tag}`);
  const method =
    chooseForced() ?? ((await baseAvailable(docker, onProgress)) ? 'dockerfile' : 'debootstrap');
  if (method === 'dockerfile') {
    await buildFromDockerfile(docker, tag, onProgress);
  } else {
    const tarPath = await rootfsTarball(onProgress);
    await importRootfs(docker, tarPath, tag, onProgress);
  }
  if (!(await hasImage(docker, tag)))
    throw new Error(`building ${tag} finished but the engine does not have it`);
  onProgress('image', `${tag} ready`);
  return { tag, built: method, ms: Date.now() - started };
}
