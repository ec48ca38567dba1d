// FNV-1a: a tiny, stable, non-cryptographic hash. Digests and client ids only need to be equal
// for equal input on every replica and every engine (V8, StarlingMonkey), never to resist attack.

const encoder = new TextEncoder();

function bytesOf(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? encoder.encode(input) : input;
}

/** 32-bit FNV-1a as an unsigned integer. */
export function fnv1a32(input: Uint8Array | string): number {
  const bytes = bytesOf(input);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  }
  return h >>> 0;
}

/**
 * 64-bit FNV-1a as 16 lowercase hex digits. Two 32-bit lanes instead of BigInt: the prime is
 * 2^40 + 0x1b3, so h * prime = h * 0x1b3 + (lo << 40), all exact in doubles and Math.imul.
 */
export function fnv1a64Hex(input: Uint8Array | string): string {
  const bytes = bytesOf(input);
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ (bytes[i] as number)) >>> 0;
    const low = lo * 0x1b3; // < 2^41: exact
    hi = (Math.imul(hi, 0x1b3) + Math.floor(low / 0x1_0000_0000) + (lo << 8)) >>> 0;
    lo = low >>> 0;
  }
  return hex32(hi) + hex32(lo);
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
