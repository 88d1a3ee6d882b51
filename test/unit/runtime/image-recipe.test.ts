import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUILD_CONTEXT_FILES,
  baseImage,
  dockerfileText,
  imageTag,
  PACKAGES,
} from '../../../src/runtime/image/recipe.js';

describe('image recipe', () => {
  it('matches the Dockerfile checked in under images/', () => {
    expect(readFileSync(new URL('../../../images/node.Dockerfile', import.meta.url), 'utf8')).toBe(
      dockerfileText('debian:bookworm-slim'),
    );
  });
  it('keeps the BIRD build script and patch under images/ equal to the recipe', () => {
    for (const f of BUILD_CONTEXT_FILES)
      expect(readFileSync(new URL(`../../../images/${f.name}`, import.meta.url), 'utf8')).toBe(
        f.content,
      );
    expect(dockerfileText()).toMatch(/COPY --from=bird \/usr\/local\/sbin\/bird /);
  });
  it('installs every package of the recipe and tags by its hash', () => {
    for (const p of PACKAGES) expect(dockerfileText()).toContain(` ${p}`);
    expect(imageTag()).toMatch(/^egress-lab\/node:[0-9a-f]{12}$/);
  });
  it('takes a base image from EGRESS_LAB_BASE_IMAGE and refuses odd ones', () => {
    expect(baseImage({ EGRESS_LAB_BASE_IMAGE: 'mirror.example:5000/debian:bookworm-slim' })).toBe(
      'mirror.example:5000/debian:bookworm-slim',
    );
    expect(baseImage({})).toBe('debian:bookworm-slim');
    expect(() => dockerfileText('debian\nRUN reboot')).toThrow(/not a valid reference/);
  });
});
