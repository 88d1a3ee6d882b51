// Create options and config hash of lab containers and the wiring helper.
import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import type { ContainerPlan } from '../core/plan/types.js';
import {
  HELPER_ROLE,
  LABEL_CONFIG,
  LABEL_LAB,
  LABEL_NAME,
  LABEL_NODE,
  LABEL_ROLE,
} from './labels.js';
import { checkContainerName, checkLabName, dockerName } from './names.js';

const SYSCTL_KEY = /^net\.[A-Za-z0-9_.-]+$/;

/** What a container is created with; a change here means re-create, not re-apply. */
export function containerConfig(c: ContainerPlan, image: string) {
  const sysctls: Record<string, string> = {};
  for (const k of Object.keys(c.sysctls).sort()) {
    if (!SYSCTL_KEY.test(k))
      throw new Error(`${c.name}: sysctl "${k}" is not a namespaced net.* sysctl`);
    sysctls[k] = String(c.sysctls[k]);
  }
  return {
    image,
    role: c.role,
    sysctls,
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    cmd: ['sleep', 'infinity'],
    // A tmpfs /run: what the runtime keeps in a container (apply state, BIRD's pid and
    // socket, echo server pids) starts empty after a restart, like the network namespace.
    tmpfs: { '/run': 'rw,nosuid,nodev,mode=755' },
  };
}

export function configHash(c: ContainerPlan, image: string): string {
  return createHash('sha256')
    .update(JSON.stringify(containerConfig(c, image)))
    .digest('hex')
    .slice(0, 16);
}

export function labContainerCreateOptions(
  lab: string,
  c: ContainerPlan,
  image: string,
  node?: string,
): Dockerode.ContainerCreateOptions {
  checkLabName(lab);
  checkContainerName(c.name);
  const cfg = containerConfig(c, image);
  const labels: Record<string, string> = {
    [LABEL_LAB]: lab,
    [LABEL_ROLE]: c.role,
    [LABEL_NAME]: c.name,
    [LABEL_CONFIG]: configHash(c, image),
  };
  if (node) labels[LABEL_NODE] = node;
  return {
    name: dockerName(lab, c.name),
    Hostname: c.name,
    Image: image,
    Cmd: cfg.cmd,
    Labels: labels,
    HostConfig: {
      NetworkMode: 'none', // linked only by veth pairs: no path off the machine
      CapAdd: cfg.capAdd,
      CapDrop: [],
      Sysctls: cfg.sysctls,
      Tmpfs: cfg.tmpfs,
      Init: true, // reaps what BIRD and the echo servers leave behind
      AutoRemove: false,
    },
  };
}

/**
 * The short-lived wiring helper: host PID namespace to reach every lab container's
 * network namespace through /proc/PID/ns/net, SYS_ADMIN to mount a procfs for
 * per-interface sysctls (PLATFORM.md). Still no network of its own.
 */
export function helperCreateOptions(
  lab: string,
  image: string,
  suffix: string,
): Dockerode.ContainerCreateOptions {
  checkLabName(lab);
  return {
    name: `${lab}-wiring-${suffix}`,
    Image: image,
    Cmd: ['sleep', 'infinity'],
    Labels: { [LABEL_LAB]: lab, [LABEL_ROLE]: HELPER_ROLE, [LABEL_NAME]: 'wiring' },
    HostConfig: {
      NetworkMode: 'none',
      PidMode: 'host',
      UsernsMode: 'host', // an engine with userns-remap refuses PidMode host otherwise
      CapAdd: ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      Init: true,
      AutoRemove: false,
    },
  };
}
