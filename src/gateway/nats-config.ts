// nats-server configuration text, for the broker `npm start` and the tests run (src/gateway/nats-server.ts)
// and for the one k8s runs (k8s/nats.yaml): one writer, so what the tests start is what ships.
// Syntax as nats-server 2.9 reads it (docs.nats.io, "Configuration"); `$NAME` values come from the
// server's environment.
import { NETWORK_STATUS_SUBJECT, TIMELINE_SUBJECTS } from '../core/wire.ts';

export interface NatsClusterConfig {
  /** the same on every node (JetStream clustering requires it) */
  name: string;
  /** route port this node listens on */
  port: number;
  /** every node's route URL, this node's own included (nats-server ignores a route to itself) */
  routes: string[];
}

/**
 * Who may do what on the broker. The gateway (and the operator's tools, with its password) moves
 * envelopes, timeline events and its JetStream state; the dashboard user may only listen to
 * `timeline.>` and `network.status`, over WebSocket; nobody else gets in, anonymous browsers
 * included. The dashboard learns its password from /api/topology (the app's nats_ws_password
 * variable), which the read_token guards when there is one: the live timeline is a read like any other.
 * Passwords are literals or `$NAME` references to the server's environment (k8s: a Secret).
 */
export interface NatsAuthConfig {
  gatewayPassword: string;
  dashboardPassword: string;
  /** Origin headers a browser's WebSocket may come from; unset: any */
  allowedOrigins?: string[];
}

export const GATEWAY_NATS_USER = 'gateway';
export const DASHBOARD_NATS_USER = 'dashboard';
/** What the gateway needs: envelopes, its own status and timeline subjects, JetStream and KV (leases, the timeline stream), replies. */
export const GATEWAY_PERMISSIONS = {
  publish: ['agent.>', 'broadcast.>', 'network.status', 'timeline.>', '$JS.API.>', '$JS.ACK.>', '$JS.FC.>', '$KV.>', '_INBOX.>'],
  subscribe: ['agent.>', 'broadcast.>', 'network.status', 'timeline.>', '$KV.>', '_INBOX.>'],
} as const;
export const DASHBOARD_SUBJECTS = [TIMELINE_SUBJECTS, NETWORK_STATUS_SUBJECT] as const;

/** A leaf node link (multi-region edges): a hub accepts them on a port, an edge dials the hub. */
export type NatsLeafConfig = { port: number } | { remotes: string[] };

export interface NatsConfigOptions {
  /** unique per server; a literal or an environment reference like `$SERVER_NAME` */
  serverName: string;
  /** interface every listener binds */
  host: string;
  port: number;
  /** HTTP monitoring (/healthz, /varz) */
  monitorPort: number;
  /** WebSocket for browsers (the dashboard's `wsconnect`), without TLS: put TLS in front */
  wsPort: number;
  /** JetStream file store (the timeline stream) */
  storeDir: string;
  /** cap of the file store, e.g. "10G" (nats-server's size syntax); unset: the disk */
  maxFileStore?: string;
  cluster?: NatsClusterConfig;
  leafnodes?: NatsLeafConfig;
  /** JetStream domain: an edge behind a leaf link keeps its own (nats-server needs them to differ) */
  jetstreamDomain?: string;
  /** lets `nats-server --signal ldm=<pid file>` drain clients before a pod stops */
  pidFile?: string;
  auth: NatsAuthConfig;
}

const value = (v: string): string => (v.startsWith('$') ? v : JSON.stringify(v));

export function natsConfig(o: NatsConfigOptions): string {
  const jetstream = [
    `  store_dir: ${JSON.stringify(o.storeDir)}`,
    ...(o.maxFileStore === undefined ? [] : [`  max_file_store: ${o.maxFileStore}`]),
    ...(o.jetstreamDomain === undefined ? [] : [`  domain: ${JSON.stringify(o.jetstreamDomain)}`]),
  ];
  const lines = [
    `server_name: ${value(o.serverName)}`,
    `listen: "${o.host}:${o.port}"`,
    `http: "${o.host}:${o.monitorPort}"`,
    ...(o.pidFile === undefined ? [] : [`pid_file: ${JSON.stringify(o.pidFile)}`, 'lame_duck_grace_period: 10s', 'lame_duck_duration: 30s']),
    websocket(o),
    authorization(o.auth),
    `jetstream {\n${jetstream.join('\n')}\n}`,
  ];
  if (o.cluster !== undefined) {
    lines.push(
      [
        'cluster {',
        `  name: ${JSON.stringify(o.cluster.name)}`,
        `  listen: "${o.host}:${o.cluster.port}"`,
        '  routes: [',
        ...o.cluster.routes.map((r) => `    ${JSON.stringify(r)}`),
        '  ]',
        '}',
      ].join('\n'),
    );
  }
  if (o.leafnodes !== undefined) {
    lines.push(
      'port' in o.leafnodes
        ? `leafnodes {\n  listen: "${o.host}:${o.leafnodes.port}"\n}`
        : `leafnodes {\n  remotes: [\n    { urls: [${o.leafnodes.remotes.map((u) => JSON.stringify(u)).join(', ')}] }\n  ]\n}`,
    );
  }
  return lines.join('\n') + '\n';
}

const list = (items: readonly string[]): string => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

function websocket(o: NatsConfigOptions): string {
  return [
    'websocket {',
    `  listen: "${o.host}:${o.wsPort}"`,
    '  no_tls: true',
    ...(o.auth.allowedOrigins === undefined ? [] : [`  allowed_origins: ${list(o.auth.allowedOrigins)}`]),
    '}',
  ].join('\n');
}

function authorization(auth: NatsAuthConfig): string {
  const gateway = `{ user: ${JSON.stringify(GATEWAY_NATS_USER)}, password: ${value(auth.gatewayPassword)}, permissions: { publish: ${list(GATEWAY_PERMISSIONS.publish)}, subscribe: ${list(GATEWAY_PERMISSIONS.subscribe)} }, allowed_connection_types: ["STANDARD", "WEBSOCKET"] }`;
  const dashboard = `{ user: ${JSON.stringify(DASHBOARD_NATS_USER)}, password: ${value(auth.dashboardPassword)}, permissions: { publish: { deny: [">"] }, subscribe: ${list(DASHBOARD_SUBJECTS)} }, allowed_connection_types: ["WEBSOCKET"] }`;
  return ['authorization {', '  users = [', `    ${gateway}`, `    ${dashboard}`, '  ]', '}'].join('\n');
}
