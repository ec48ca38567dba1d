// `allowed_outbound_hosts`, as Spin reads it: each entry is `scheme://host[:port]`, where the
// scheme may be `*`, the host `*` or `*.example.com`, and the port `*`, a number, or a range
// `8000..9000`; without a port, the scheme's default (80 for http, 443 for https). Templates
// (`{{ gateway_url }}`) are expanded with the application variables before parsing. An outbound
// request is allowed only when some entry matches its scheme, host and port.
import { HostError } from '../errors.ts';

export interface AllowedHost {
  scheme: string;
  host: string;
  ports: { from: number; to: number } | 'any';
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };
const ENTRY = /^([a-z][a-z0-9+.-]*|\*):\/\/([^/:?#]+|\[[0-9a-f:.]+\])(?::(\*|\d+(?:\.\.\d+)?))?\/?$/i;

/** Parses one expanded entry; `where` names it in the error. */
export function parseAllowedHost(entry: string, where: string): AllowedHost {
  const m = ENTRY.exec(entry.trim());
  if (m === null) {
    throw new HostError('bad-manifest', `${where}: "${entry}" is not scheme://host[:port] (e.g. https://example.com, http://127.0.0.1:*)`);
  }
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const port = m[3];
  if (port === '*') return { scheme, host, ports: 'any' };
  if (port === undefined) {
    const fallback = DEFAULT_PORTS[scheme];
    if (fallback === undefined) return { scheme, host, ports: 'any' };
    return { scheme, host, ports: { from: fallback, to: fallback } };
  }
  const [from, to = from] = port.split('..').map(Number) as [number, number?];
  if (from < 1 || to > 65_535 || from > to) throw new HostError('bad-manifest', `${where}: "${entry}" has a bad port`);
  return { scheme, host, ports: { from, to } };
}

/** Whether `url` may be requested under `allowed`. */
export function isAllowed(allowed: readonly AllowedHost[], url: URL): boolean {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const host = url.hostname.toLowerCase();
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  return allowed.some(
    (a) =>
      (a.scheme === '*' || a.scheme === scheme) &&
      (a.host === '*' || a.host === host || (a.host.startsWith('*.') && host.endsWith(a.host.slice(1)))) &&
      (a.ports === 'any' || (port !== undefined && port >= a.ports.from && port <= a.ports.to)),
  );
}
