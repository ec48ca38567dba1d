// The gateway's token checks, in constant time (what the time takes says nothing of the secret).
import { timingSafeEqual } from 'node:crypto';

export function secretMatches(given: string, secret: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether an Authorization header is `Bearer <token>`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  return secretMatches(header ?? '', `Bearer ${token}`);
}
