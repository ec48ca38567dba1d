// NATS_URL as users write it: credentials in the userinfo become nats.js options, and never reach a log.
import { describe, expect, it } from 'vitest';
import { natsServers, redactNatsUrl } from '../../src/gateway/nats-url.ts';

describe('natsServers', () => {
  it('takes the user and password out of the URL, percent-decoded, for every server of a list', () => {
    expect(natsServers('nats://gateway:p%40ss@n1:4222, nats://n2:4222')).toEqual({ servers: ['nats://n1:4222', 'nats://n2:4222'], user: 'gateway', pass: 'p@ss' });
  });

  it('leaves URLs without credentials (and bare host:port) as they are', () => {
    expect(natsServers('127.0.0.1:4222,tls://n2:4222')).toEqual({ servers: ['127.0.0.1:4222', 'tls://n2:4222'] });
  });
});

describe('redactNatsUrl', () => {
  it('hides every password and nothing else', () => {
    expect(redactNatsUrl('nats://gateway:secret@n1:4222,nats://n2:4222')).toBe('nats://gateway:***@n1:4222,nats://n2:4222');
  });
});
