// Comparing a presented secret with the configured one in time that does not depend on where
// they first differ (the component has no crypto.timingSafeEqual).

/** Whether `given` equals `secret`; the time depends only on their lengths. */
export function secretEquals(given: string, secret: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(secret);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!;
  return diff === 0;
}
