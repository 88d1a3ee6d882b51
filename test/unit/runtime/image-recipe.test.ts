import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUILD_CONTEXT_FILES,
  baseImage,
  dockerfileText,
  imageTag,
  PACKAGES,
} from '../../../src/runtime/image/recipe.js';
import {
  BIRD_BUILD_DIR,
  BIRD_BUILD_PACKAGES,
  BIRD_BUILD_SCRIPT,
  installedPackages,
} from '../../../src/runtime/image/bird.js';

describe('image recipe', () => {
  it('matches the Dockerfile checked in under images/', () => {
    expect(readFileSync(new URL('../../../images/node.Dockerfile', import.meta.url), 'utf8')).toBe(
      dockerfileText('debian:bookworm-slim'),
    );
  });
  it('builds BIRD where the Dockerfile and debootstrap put the script and the patch', () => {
    const script = BUILD_CONTEXT_FILES.find((f) => f.name === 'bird-build.sh')!.content;
    expect(script.split('\n')).toContain(`cd ${BIRD_BUILD_DIR}`);
    expect(script).toContain(`patch -p1 < ${BIRD_BUILD_DIR}/connect-delay.patch`);
    expect(BUILD_CONTEXT_FILES.find((f) => f.name === 'connect-delay.patch')!.content).toMatch(
      /^--- a\/proto\/bgp\/bgp\.c$/m,
    );
    expect(dockerfileText()).toContain(`COPY bird-build.sh connect-delay.patch ${BIRD_BUILD_DIR}/`);
    expect(dockerfileText()).toMatch(/COPY --from=bird \/usr\/local\/sbin\/bird /);
  });
  it('hashes the packages the BIRD build installs, as its apt-get line names them', () => {
    expect(BIRD_BUILD_PACKAGES).toEqual(installedPackages(BIRD_BUILD_SCRIPT));
    expect(BIRD_BUILD_PACKAGES).toContain('dpkg-dev');
    expect(
      installedPackages('apt-get $APT_OPTS install -y --no-install-recommends gcc  make\n'),
    ).toEqual(['gcc', 'make']);
    expect(() => installedPackages('make\n')).toThrow(/apt-get install/);
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
