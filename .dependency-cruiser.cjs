// The house's layers (ARCHITECTURE.md), checked in `npm test` by dependency-cruiser:
// dependencies run one way, the pure layers do no I/O, the runtimes (host, gateway) never import
// a component's internals (they speak HTTP and NATS), and product code never imports scripts/.
/** folder → the project folders it may import (beside itself and node_modules) */
const LAYERS = {
  'src/shared': [],
  'src/cli': [],
  'src/egraph': ['src/shared'],
  'src/core': ['src/shared', 'src/egraph'],
  'src/spin': ['src/shared', 'src/core', 'src/egraph'],
  'src/agent': ['src/shared', 'src/core', 'src/egraph', 'src/spin'],
  'src/api': ['src/shared', 'src/core', 'src/spin'],
  'src/host': ['src/shared'],
  'src/gateway': ['src/shared', 'src/core', 'src/cli'],
  // the typed client takes the answers' types from the components that build them (import type only)
  'src/client': ['src/shared', 'src/core', 'src/api', 'src/agent'],
  // the dashboard likewise, and calls the app through the client
  dashboard: ['src/shared', 'src/core', 'src/spin', 'src/api', 'src/agent', 'src/gateway', 'src/client'],
};
const FOLDERS = Object.keys(LAYERS);
/** layers with a public entry (index.ts); shared, spin and cli are libraries of single modules */
const DOORS = ['agent', 'api', 'client', 'core', 'egraph', 'gateway', 'host'];
/** the one way a script may reach into a component: its config reader (validate checks values with it) */
const DOOR_EXCEPTIONS = ['^src/(agent|api)/config\\.ts$'];
const escape = (path) => path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle makes two modules one: neither can be understood, tested or moved alone',
      from: { path: '^(src|scripts|dashboard)/' },
      to: { circular: true },
    },
    ...FOLDERS.map((folder) => ({
      name: `layer:${folder}`,
      severity: 'error',
      comment: `${folder} may import only ${LAYERS[folder].join(', ') || 'nothing of the project'}`,
      from: { path: `^${escape(folder)}/` },
      to: {
        path: `^(src|scripts|dashboard|test|asm)/`,
        pathNot: [`^${escape(folder)}/`, ...LAYERS[folder].map((allowed) => `^${escape(allowed)}/`)],
      },
    })),
    {
      name: 'through-the-door',
      severity: 'error',
      comment:
        "a layer with an index.ts is entered through it (core also through wire.ts, its Yjs-free part), so its files can move without breaking importers; tests may reach in (they test a module as it is)",
      from: { path: '^(src/[^/]+|scripts|dashboard)/' },
      to: {
        path: `^src/(${DOORS.join('|')})/`,
        pathNot: ['^$1/', `^src/(${DOORS.join('|')})/index\\.ts$`, '^src/core/wire\\.ts$', ...DOOR_EXCEPTIONS],
      },
    },
    {
      name: 'pure-layers',
      severity: 'error',
      comment: 'src/core, src/egraph and src/shared do no I/O: no Node built-ins',
      from: { path: '^src/(core|egraph|shared)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'scripts-not-component-internals',
      severity: 'error',
      comment: "scripts run components, they do not reach into them: only a component's config reader (validate checks values with it)",
      from: { path: '^scripts/' },
      to: { path: '^src/(agent|api)/', pathNot: '^src/(agent|api)/config\\.ts$' },
    },
    {
      name: 'product-not-scripts',
      severity: 'error',
      comment: 'scripts/ and test/ build and check the product; the product never needs them',
      from: { path: '^(src|dashboard)/' },
      to: { path: '^(scripts|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.d.ts'] },
  },
};
