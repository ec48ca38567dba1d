// Standard base64 (RFC 4648 §4, padded) for Yjs bytes inside JSON envelopes, strict: anything
// else is refused (Buffer silently skips junk characters; lib0/buffer picks Buffer unless `window`
// and `document` exist, and StarlingMonkey has neither, so lib0's would throw in the component).
//
// The engine's own codec when it has one (TC39's Uint8Array.fromBase64 and toBase64: StarlingMonkey's
// SpiderMonkey does, Node 20 does not). In the component's interpreter the JS loops below cost
// ~0.8 ms per KB to decode and ~0.17 to encode (a 30 KB snapshot: 24 and 5 ms), the native codec
// ~0.005 and ~0.002 (a probe component, 30 and 60 KB): every envelope's update is decoded, and
// every update sent encoded.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Lookup from char code to 6-bit value; -1 for characters outside the alphabet. */
const VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** TC39's Uint8Array base64 (https://tc39.es/proposal-arraybuffer-base64/), where the engine has it. */
interface NativeBase64 {
  fromBase64(s: string, options: { lastChunkHandling: 'strict' }): Uint8Array;
}
const native = (Uint8Array as unknown as Partial<NativeBase64>).fromBase64 === undefined ? null : (Uint8Array as unknown as NativeBase64);
const nativeToBase64 = (Uint8Array.prototype as unknown as { toBase64?: (this: Uint8Array) => string }).toBase64;

/**
 * The native decoder held to this codec's strictness, or null when `s` is not padded standard
 * base64: the native one, even strict, skips ASCII whitespace, which shows as fewer bytes than
 * `s` can hold (its other leniencies, unpadded or URL-safe input, strict mode refuses).
 */
function nativeDecode(codec: NativeBase64, s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  let bytes: Uint8Array;
  try {
    bytes = codec.fromBase64(s, { lastChunkHandling: 'strict' });
  } catch {
    return null;
  }
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return bytes.length === (s.length / 4) * 3 - pad ? bytes : null;
}

/** Whether `s` is padded standard base64 (the empty string encodes zero bytes). */
export function isBase64(s: string): boolean {
  if (native !== null) return nativeDecode(native, s) !== null;
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
  // the bits padding leaves over are zero (as the native codec's strict mode holds them)
  if (s.endsWith('==')) return ((VALUE[s.charCodeAt(n - 3)] as number) & 0x0f) === 0;
  if (s.endsWith('=')) return ((VALUE[s.charCodeAt(n - 2)] as number) & 0x03) === 0;
  return true;
}

export function toBase64(bytes: Uint8Array): string {
  if (nativeToBase64 !== undefined) return nativeToBase64.call(bytes);
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
  if (native !== null) {
    const bytes = nativeDecode(native, s);
    if (bytes === null) throw new TypeError('not padded standard base64');
    return bytes;
  }
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
