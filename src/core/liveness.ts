// One liveness vocabulary for everyone who judges or shows it: the gateway (from heartbeats, on
// network.status), the api (from each agent's last contact, on /health, /api/topology and
// /api/metrics) and the dashboard, which shows whichever arrives last.

export type Liveness = 'alive' | 'suspect' | 'down';
export const LIVENESS: readonly Liveness[] = ['alive', 'suspect', 'down'];

/** Heard from within `healthTimeoutMs`: alive; silent for up to twice that: suspect; then down. */
export function livenessAfter(silentMs: number, healthTimeoutMs: number): Liveness {
  return silentMs <= healthTimeoutMs ? 'alive' : silentMs <= 2 * healthTimeoutMs ? 'suspect' : 'down';
}
