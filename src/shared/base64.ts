// Standard base64 (RFC 4648 §4, padded) for Yjs bytes inside JSON envelopes.
// Our own codec rather than lib0/buffer: lib0 picks Node's `Buffer` unless `window` and `document`
// exist, and StarlingMonkey has neither, so lib0's would throw inside the component. Decoding here
// is also strict, where Buffer silently skips junk characters.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Lookup from char code to 6-bit value; -1 for characters outside the alphabet. */
const VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Whether `s` is padded standard base64 (the empty string encodes zero bytes). */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n % 4 !== 0) return false;
  // A loop, not a regex: updates can be megabytes and regex backtracking stacks are finite.
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 /* = */) {
      if (i < n - 2 || (i === n - 2 && s.charCodeAt(n - 1) !== 61)) return false;
    } else if (c >= 128 || (VALUE[c] as number) < 0) {
      return false;
    }
  }
  return true;
}

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + '=';
  }
  return out;
}

/** Decodes padded standard base64; throws on anything else (callers check with isBase64 first). */
export function fromBase64(s: string): Uint8Array {
  if (!isBase64(s)) throw new TypeError('not padded standard base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (sextet(s, i) << 18) | (sextet(s, i + 1) << 12) | (sextet(s, i + 2) << 6) | sextet(s, i + 3);
    out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** 6-bit value of s[i]; padding counts as 0. */
function sextet(s: string, i: number): number {
  const v = VALUE[s.charCodeAt(i)] ?? -1;
  return v < 0 ? 0 : v;
}
