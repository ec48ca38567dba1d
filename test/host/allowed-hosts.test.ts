// allowed_outbound_hosts as Spin reads it: scheme, host (wildcards) and port (default, *, range).
import { describe, expect, it } from 'vitest';
import { isAllowed, parseAllowedHost } from '../../src/host/http/allowed-hosts.ts';
import { HostError } from '../../src/host/index.ts';

const allows = (entries: string[], url: string) => isAllowed(entries.map((e) => parseAllowedHost(e, 'test')), new URL(url));

describe('allowed_outbound_hosts', () => {
  it.each([
    [['https://example.com'], 'https://example.com/path?q=1', true],
    [['https://example.com'], 'https://example.com:443/', true],
    [['https://example.com'], 'https://example.com:8443/', false],
    [['https://example.com'], 'http://example.com/', false],
    [['https://example.com'], 'https://api.example.com/', false],
    [['https://*.example.com'], 'https://api.example.com/', true],
    [['http://127.0.0.1:*'], 'http://127.0.0.1:4500/publish', true],
    [['http://127.0.0.1:4000..4999'], 'http://127.0.0.1:4500/', true],
    [['http://127.0.0.1:4000..4999'], 'http://127.0.0.1:5000/', false],
    [['*://*:*'], 'https://anything.test:1234/', true],
    [['http://localhost:3000'], 'http://LOCALHOST:3000/', true],
    [[], 'https://example.com/', false],
  ])('%j allows %s: %s', (entries, url, expected) => {
    expect(allows(entries, url)).toBe(expected);
  });

  it.each(['example.com', 'https://', 'https://example.com/path', 'https://example.com:0', 'http://h:9..1'])('refuses the entry %j', (entry) => {
    expect(() => parseAllowedHost(entry, 'component.x.allowed_outbound_hosts[0]')).toThrow(HostError);
  });
});
