// The project's boundaries, checked by dependency-cruiser (`npm run lint`, `npm test`).
// Why this tool: it follows every import to a file, type-only imports included (`import type`
// cycles such as service/lab-service <-> lab-watch are circles in the design even though they
// vanish at run time; eslint-plugin-import-x's no-cycle skips them by design), it reads .svelte
// files, and its rules are plain data. It is maintained and widely used. Kept at 17.x: 18
// needs Node 22, the project runs on Node 20.19 and later.
// Every rule below is an error: `npm run lint` fails on a new cycle or a layer violation.

/** The core's folders, lowest first: a folder may import those before it, never one after it,
 * so no two folders of the core import each other. `errors.ts` at the core's root is below all. */
const CORE_FOLDER_ORDER = [
  'model',
  'net',
  'calico',
  'lab-file',
  'ipam',
  'dataplane',
  'plan',
  'explain',
  'changes',
  'import',
  'diag',
];

const coreFolderRules = CORE_FOLDER_ORDER.slice(0, -1).map((folder, i) => ({
  name: `core-order-${folder}`,
  comment: `CORE_FOLDER_ORDER: core/${folder}/ imports no folder above it (${CORE_FOLDER_ORDER.slice(i + 1).join(', ')}).`,
  severity: 'error',
  from: { path: `^src/core/${folder}/` },
  to: { path: `^src/core/(${CORE_FOLDER_ORDER.slice(i + 1).join('|')})/` },
}));

// Node's I/O modules are the runtime's business; the core may hash with node:crypto
// (dataplane/hash.ts, ipam/veth-name.ts) and nothing else of Node's.
const CORE_ALLOWED_NODE_MODULES = '^(node:)?crypto$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'No module reaches itself through its imports (type-only imports count).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'The core imports no runtime, service, shell, electron or renderer code.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(runtime|service|shells)|electron|renderer)/' },
    },
    {
      name: 'core-no-io',
      comment: 'The core does no I/O: no Node I/O module (node:crypto for hashes is fine).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], pathNot: CORE_ALLOWED_NODE_MODULES },
    },
    {
      name: 'core-no-io-packages',
      comment: 'The core does no I/O: no Docker, WebSocket or Electron package.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '(^|/)node_modules/(dockerode|docker-modem|ws|electron)/' },
    },
    {
      name: 'runtime-below-service',
      comment: 'The runtime imports no service, shell, electron or renderer code.',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: { path: '^(src/(service|shells)|electron|renderer)/' },
    },
    {
      name: 'service-below-shells',
      comment: 'The service imports no shell, electron or renderer code.',
      severity: 'error',
      from: { path: '^src/service/' },
      to: { path: '^(src/shells|electron|renderer)/' },
    },
    {
      name: 'shells-through-service',
      comment: 'Shells and electron reach the runtime only through the service (src/service).',
      severity: 'error',
      from: { path: '^(src/shells|electron)/' },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'renderer-no-backend',
      comment: 'The renderer imports no runtime, shell or electron code.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(src/(runtime|shells)|electron)/' },
    },
    {
      name: 'renderer-service-types-only',
      comment: "The renderer imports only the service's types; calls go through its API client.",
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^src/service/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-root-below-folders',
      comment: "Modules at the core's root (errors.ts) are below every core folder.",
      severity: 'error',
      from: { path: '^src/core/[^/]+$' },
      to: { path: '^src/core/[^/]+/' },
    },
    ...coreFolderRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|renderer/dist)/' },
    // Type-only imports are dependencies too (see above).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.cts', '.js', '.cjs', '.svelte', '.json'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
