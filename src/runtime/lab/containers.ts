import { hostname } from 'node:os';
// Create options and config hash of lab containers and the wiring helper.
import type Dockerode from 'dockerode';
import { createHash } from 'node:crypto';
import type { ContainerPlan } from '../../core/plan/types.js';
import {
  HELPER_ROLE,
  LABEL_OWNER,
  LABEL_CONFIG,
  LABEL_LAB,
  LABEL_NAME,
  LABEL_NODE,
  LABEL_ROLE,
} from './labels.js';
import { checkContainerName, checkLabName, dockerName } from './names.js';
import { readScript } from '../util/script-file.js';

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

/**
 * `boot`: the container's main process is an agent loop on its stdin (BOOT_CMD), so `up`
 * applies and reads it through the attach stream, without execs. Not part of the config
 * hash: the loop ends in `sleep infinity`, the same steady state as a plain container.
 */
export function labContainerCreateOptions(
  lab: string,
  c: ContainerPlan,
  image: string,
  node?: string,
  boot?: readonly string[],
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
    Cmd: boot ? [...boot] : cfg.cmd,
    ...(boot ? { OpenStdin: true, StdinOnce: true, AttachStdin: true } : {}),
    Labels: labels,
    HostConfig: {
      NetworkMode: 'none', // linked only by veth pairs: no path off the machine
      CapAdd: cfg.capAdd,
      CapDrop: [],
      Sysctls: cfg.sysctls,
      Tmpfs: cfg.tmpfs,
      Init: true, // reaps what BIRD and the echo servers leave behind
      AutoRemove: false,
      // The main process's output is the boot agent's protocol (statuses, records, kept
      // for the service's life after `up`): nothing to read, and the engine would write it
      // all to disk.
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/**
 * The wiring helper's main process: reads one framed request ("wire ID N" and N bytes of
 * script, from `up` over the attach stream), runs it, answers as the agents do
 * ("egress-lab-done ID RC N" and the output), exits. Saves an exec per `up`.
 */
export const HELPER_SCRIPT = readScript('../wiring/helper.sh', import.meta.url);

/**
 * The short-lived wiring helper: host PID namespace to reach every lab container's
 * network namespace through /proc/PID/ns/net, SYS_ADMIN to mount a procfs for
 * per-interface sysctls (/proc/sys is read-only in lab containers). Never a network: it joins the namespace of a
 * running lab container (`netnsOf`, its ID), which spares Docker a sandbox per `up`
 * (~35 ms of a 2-core machine's CPU while the lab starts), or else gets its own, empty.
 * Its script names every namespace it changes, so the joined one only ever receives
 * what a mistake would leave: lab-only, never the host's.
 */
/** This process, as a helper's owner label names it: `<hostname>/<pid>`. */
export function helperOwner(): string {
  return `${hostname()}/${process.pid}`;
}

export function helperCreateOptions(
  lab: string,
  image: string,
  suffix: string,
  netnsOf?: string,
): Dockerode.ContainerCreateOptions {
  checkLabName(lab);
  if (netnsOf !== undefined && !/^[0-9a-f]{12,64}$/.test(netnsOf))
    throw new Error(`wiring helper: "${netnsOf}" is not a container ID`);
  return {
    name: `${lab}-wiring-${suffix}`,
    Image: image,
    Cmd: ['sh', '-c', HELPER_SCRIPT, 'egress-lab-wiring'],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    Labels: {
      [LABEL_LAB]: lab,
      [LABEL_ROLE]: HELPER_ROLE,
      [LABEL_NAME]: 'wiring',
      // Whose `up` it serves: another process's next `up` leaves it alone while that lives.
      [LABEL_OWNER]: helperOwner(),
    },
    HostConfig: {
      NetworkMode: netnsOf === undefined ? 'none' : `container:${netnsOf}`,
      PidMode: 'host',
      UsernsMode: 'host', // an engine with userns-remap refuses PidMode host otherwise
      CapAdd: ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      Init: true,
      AutoRemove: true, // it exits once it has answered; the engine removes it
    },
  };
}
