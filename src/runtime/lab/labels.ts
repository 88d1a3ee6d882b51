// Docker labels: the only state the runtime keeps. Everything a lab owns carries
// LABEL_LAB, so `down`, `listLabs` and reconciliation find it again after a crash.
export const LABEL_LAB = 'egress-lab.lab';
export const LABEL_ROLE = 'egress-lab.role'; // router | node | pod | host | helper
export const LABEL_NAME = 'egress-lab.name'; // lab-local container name
export const LABEL_CONFIG = 'egress-lab.config'; // hash of what needs a re-create to change
export const LABEL_NODE = 'egress-lab.node'; // pods: the node they run on

export const HELPER_ROLE = 'helper';

/** On a wiring helper: the process whose `up` it serves, `<hostname>/<pid>`. */
export const LABEL_OWNER = 'egress-lab.owner';
