// Which JSON values a user may store under /data/:key: exactly those Yjs keeps and gives back
// unchanged. Anything else is refused up front (400) rather than stored altered or half-written.
import { AgentError, got } from './errors.ts';

/**
 * Deepest nesting of arrays and objects in a request body, and so in a stored value: JSON.parse
 * takes 10,000 levels, but whatever walks the value next (Yjs's encoder, error messages) recurses
 * and overflows the component's stack.
 */
export const MAX_VALUE_DEPTH = 64;

/** Throws AgentError 'bad-request' when `value` nests deeper than MAX_VALUE_DEPTH; walks without recursing. */
export function checkJsonDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= MAX_VALUE_DEPTH) throw new AgentError('bad-request', `JSON may nest at most ${MAX_VALUE_DEPTH} levels of arrays and objects`, `deeper at level ${depth + 1}`);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
}

// A UTF-16 surrogate without its pair: Yjs stores strings as UTF-8, which turns it into U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Throws AgentError 'bad-request' unless Yjs stores `value` (parsed JSON) exactly:
 * - at most MAX_VALUE_DEPTH levels of arrays and objects (checkJsonDepth);
 * - finite numbers, and integers within ±(2^53 - 1) (beyond that JSON parsers disagree; 1e400
 *   parses to Infinity, which JSON cannot give back);
 * - strings and object keys without lone surrogates (UTF-8 cannot carry them);
 * - no object key `__proto__` (decoding assigns it, which sets the prototype and drops the key);
 * - no top-level key `constructor` (Yjs picks the content type from `value.constructor`).
 */
export function checkStorableValue(value: unknown): void {
  checkJsonDepth(value);
  if (isObject(value) && Object.hasOwn(value, 'constructor')) {
    refuse('an object value may not have a top-level key "constructor" (Yjs reads it as the type)', ['constructor']);
  }
  walk(value, []);
}

/** `trail` is the keys and indexes down to `value`, its length the depth (a path is built only to refuse). */
function walk(value: unknown, trail: (string | number)[]): void {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) refuse('strings may not hold a lone UTF-16 surrogate (UTF-8 cannot carry it)', trail);
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse('numbers must be finite', trail);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        refuse(`integers must lie within ±${Number.MAX_SAFE_INTEGER} (send larger ones as strings)`, trail);
      }
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    default:
      return refuse(`values must be JSON, ${got(value)}`, trail);
  }
  if (value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) descend(value[i], i, trail);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') refuse('object keys may not be "__proto__" (Yjs would drop it)', trail);
    if (LONE_SURROGATE.test(key)) refuse('object keys may not hold a lone UTF-16 surrogate (UTF-8 cannot carry it)', trail);
    descend(item, key, trail);
  }
}

function descend(value: unknown, key: string | number, trail: (string | number)[]): void {
  trail.push(key);
  walk(value, trail);
  trail.pop();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(message: string, trail: readonly (string | number)[]): never {
  const where = '$' + trail.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  throw new AgentError('bad-request', message, `at ${where.length > 120 ? `${where.slice(0, 117)}...` : where}`);
}
