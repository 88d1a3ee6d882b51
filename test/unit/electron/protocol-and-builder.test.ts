// The app:// handler serves the renderer with its CSP and nothing outside it; the
// electron-builder configuration passes electron-builder's own schema and names the
// three platforms' targets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { APP_CSP, serveAppRequest } from '../../../electron/protocol.js';

describe('serveAppRequest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egress-app-'));
  writeFileSync(join(dir, 'index.html'), '<title>x</title>');
  writeFileSync(join(tmpdir(), 'egress-app-outside.txt'), 'secret');

  it('serves index.html with the CSP header', async () => {
    const res = await serveAppRequest(dir, 'app://egress-lab/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(await res.text()).toBe('<title>x</title>');
  });

  it('refuses paths outside the renderer and other hosts', async () => {
    expect(
      (await serveAppRequest(dir, 'app://egress-lab/..%2Fegress-app-outside.txt')).status,
    ).not.toBe(200);
    expect((await serveAppRequest(dir, 'app://other/index.html')).status).toBe(404);
    expect((await serveAppRequest(dir, 'app://egress-lab/missing.js')).status).toBe(404);
  });
});

describe('electron-builder.yml', () => {
  const require = createRequire(import.meta.url);
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(c: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as {
    DebugLogger: new (enabled: boolean) => unknown;
  };
  const config = parse(
    readFileSync(fileURLToPath(new URL('../../../electron-builder.yml', import.meta.url)), 'utf8'),
  );

  it('passes electron-builder schema validation', async () => {
    await expect(
      validateConfiguration(structuredClone(config), new DebugLogger(false)),
    ).resolves.toBeUndefined();
    // and the validator does reject nonsense, so the pass above means something
    await expect(
      validateConfiguration({ ...config, noSuchOption: 1 }, new DebugLogger(false)),
    ).rejects.toThrow();
  });

  it('burns the hardening fuses into the binary', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('targets AppImage, deb and rpm, dmg, and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.rpm.depends).toEqual([expect.stringContaining('docker')]);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
  });

  // A PNG's size is in its IHDR chunk, right after the 8-byte signature.
  const pngSize = (path: string) => {
    const b = readFileSync(path);
    expect(b.subarray(0, 8).toString('hex'), path).toBe('89504e470d0a1a0a');
    expect(b.subarray(12, 16).toString('ascii'), path).toBe('IHDR');
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  };

  it('has icons: a 512x512 PNG for macOS and Windows, a Linux set from 16 to 512', () => {
    expect(config.mac.icon).toBe('build/icon.png');
    expect(config.win.icon).toBe('build/icon.png');
    expect(pngSize('build/icon.png')).toEqual({ width: 512, height: 512 });
    expect(config.linux.icon).toBe('build/icons');
    for (const n of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(`build/icons/${n}x${n}.png`)).toEqual({ width: n, height: n });
    }
  });

  it('packs the lab file JSON Schema that `new` and `import` point editors at', () => {
    expect(config.files).toContain('schema/*.json');
  });
});
