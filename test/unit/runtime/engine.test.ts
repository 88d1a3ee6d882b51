import { describe, expect, it } from 'vitest';
import { engineTarget } from '../../../src/runtime/engine/engine.js';

describe('engineTarget', () => {
  it('uses the local socket without DOCKER_HOST', () => {
    expect(engineTarget({})).toMatchObject({
      options: { socketPath: '/var/run/docker.sock' },
      remote: false,
    });
  });
  it('reads unix://, tcp:// and ssh:// DOCKER_HOST values', () => {
    expect(engineTarget({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }).options).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(engineTarget({ DOCKER_HOST: 'tcp://10.1.2.3:2375' })).toMatchObject({
      options: { protocol: 'http', host: '10.1.2.3', port: 2375 },
      remote: true,
    });
    expect(engineTarget({ DOCKER_HOST: 'tcp://lab.example:2376' }).options).toMatchObject({
      protocol: 'https',
    });
    expect(
      engineTarget({ DOCKER_HOST: 'ssh://ops@lab.example', SSH_AUTH_SOCK: '/tmp/agent' }),
    ).toMatchObject({
      options: {
        protocol: 'ssh',
        host: 'lab.example',
        port: 22,
        username: 'ops',
        sshOptions: { agent: '/tmp/agent' },
      },
      remote: true,
    });
  });
  it('says what is wrong with an address it cannot use', () => {
    expect(() => engineTarget({ DOCKER_HOST: 'ftp://x' })).toThrow(/unsupported scheme ftp:/);
    expect(() => engineTarget({ DOCKER_HOST: 'tcp://[bad' })).toThrow(/not a valid address/);
  });
});
