// Every CLI command, in the order `egress-lab help` lists them.
import type { Command } from '../command.js';
import { validateCommand } from './validate.js';
import { rulesCommand } from './rules.js';
import { explainCommand } from './explain.js';
import { getIppoolCommand } from './get-ippool.js';
import { setupCommand } from './setup.js';
import { upCommand } from './up.js';
import { statusCommand } from './status.js';
import { downCommand } from './down.js';
import { execCommand } from './exec.js';
import { serveCommand } from './serve.js';
import { pingCommand } from './ping.js';
import { captureCommand } from './capture.js';
import { patchCommand } from './patch.js';
import { applyCommand } from './apply.js';
import { calicoVersionCommand } from './calico-version.js';
import { deleteCommand } from './delete.js';
import { conntrackCommand } from './conntrack.js';
import { checkCommand } from './check.js';
import { trafficCommand } from './traffic.js';
import { newCommand } from './new.js';
import { importCommand } from './import.js';

export const commands: Command[] = [
  validateCommand,
  rulesCommand,
  explainCommand,
  getIppoolCommand,
  setupCommand,
  upCommand,
  statusCommand,
  downCommand,
  execCommand,
  serveCommand,
  pingCommand,
  captureCommand,
  patchCommand,
  applyCommand,
  calicoVersionCommand,
  deleteCommand,
  conntrackCommand,
  checkCommand,
  trafficCommand,
  newCommand,
  importCommand,
];
