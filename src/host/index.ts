// The local Spin-compatible host's public surface: `startHost()` (start.ts) and what a caller of
// it may need: the manifest parser, the router, variables, KV backends, errors.
export { HostError, type HostErrorCode } from './errors.ts';
export { expandTemplate, loadManifest, parseManifest, readManifest, type AppManifest, type ComponentManifest, type HttpTrigger, type ManifestProblem, type ManifestReading } from './manifest.ts';
export { Router, type RouteMatch } from './router.ts';
export { resolveAllowedOutboundHosts, resolveAppVariables, resolveComponentVariables } from './variables/resolve.ts';
export { KvStores, MemoryKvBackend, SqliteKvBackend, type KvBackend } from './kv/index.ts';
export type { LogLevel } from './log.ts';
export type { TranspilerChoice } from './transpile.ts';
export { DEFAULT_LISTEN_HOST, DEFAULT_PORT, DEFAULT_REQUEST_TIMEOUT_MS, STATE_DIR_NAME, parseListen, startHost, type Host, type HostOptions, type HostRoute } from './start.ts';
export { isAllowed, parseAllowedHost, type AllowedHost } from './http/allowed-hosts.ts';
