// NATS server lists as NATS_URL gives them: comma-separated URLs, credentials in the userinfo the
// way the nats CLI and nats.go take them (`nats://gateway:<password>@host:4222`). nats.js wants the
// user and password as options, and logs must never show the password.

export interface NatsServers {
  servers: string[];
  user?: string;
  pass?: string;
}

/** Splits `NATS_URL` into the servers and the credentials of its first URL that has any. */
export function natsServers(list: string): NatsServers {
  const out: NatsServers = { servers: [] };
  for (const entry of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = parse(entry);
    if (url === null || (url.username === '' && url.password === '')) {
      out.servers.push(entry);
      continue;
    }
    if (out.user === undefined) {
      out.user = decodeURIComponent(url.username);
      out.pass = decodeURIComponent(url.password);
    }
    url.username = '';
    url.password = '';
    out.servers.push(url.href.replace(/\/$/, ''));
  }
  return out;
}

/** The list with every password replaced by `***`, for logs and banners. */
export function redactNatsUrl(list: string): string {
  return list
    .split(',')
    .map((entry) => {
      const url = parse(entry.trim());
      if (url === null || url.password === '') return entry;
      url.password = '***';
      return url.href.replace(/\/$/, '');
    })
    .join(',');
}

function parse(entry: string): URL | null {
  try {
    return new URL(entry);
  } catch {
    return null;
  }
}
