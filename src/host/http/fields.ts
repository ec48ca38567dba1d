// `wasi:http/types` `fields` (headers and trailers): lowercase names, byte values, insertion order.
// Headers a component receives, and those of a response once constructed, are immutable.
import { ComponentError } from '../errors.ts';

export type HeaderErrorPayload = { tag: 'invalid-syntax' } | { tag: 'forbidden' } | { tag: 'immutable' };

export class HeaderError extends ComponentError<HeaderErrorPayload> {
  override name = 'HeaderError';
}

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export type FieldEntry = [name: string, value: Uint8Array];

const latin1 = (value: string): Uint8Array => Buffer.from(value, 'latin1');

function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new HeaderError({ tag: 'invalid-syntax' });
  return name.toLowerCase();
}

function checkValue(value: Uint8Array): Uint8Array {
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (b === 0x0a || b === 0x0d || b === 0x00) throw new HeaderError({ tag: 'invalid-syntax' });
  }
  return value;
}

export class Fields {
  #entries: FieldEntry[];
  #immutable = false;

  constructor() {
    this.#entries = [];
  }

  static fromList(entries: readonly FieldEntry[]): Fields {
    const fields = new Fields();
    fields.#entries = entries.map(([name, value]) => [checkName(name), checkValue(value)]);
    return fields;
  }

  /** Host side: immutable fields over already-valid entries (no copy, no checks). */
  static immutable(entries: FieldEntry[]): Fields {
    const fields = new Fields();
    fields.#entries = entries;
    fields.#immutable = true;
    return fields;
  }

  /** Host side: headers from Node (`[name, value]` strings) without validation. */
  static fromStrings(headers: readonly (readonly [string, string])[]): FieldEntry[] {
    return headers.map(([name, value]) => [name.toLowerCase(), latin1(value)]);
  }

  /** Host side: the entries, shared; call on fields the component can no longer change. */
  get rawEntries(): readonly FieldEntry[] {
    return this.#entries;
  }

  /** Host side: makes these fields immutable (their owner was constructed from them). */
  freeze(): this {
    this.#immutable = true;
    return this;
  }

  #mutable(): void {
    if (this.#immutable) throw new HeaderError({ tag: 'immutable' });
  }

  get(name: string): Uint8Array[] {
    const key = name.toLowerCase();
    const out: Uint8Array[] = [];
    for (const [n, v] of this.#entries) if (n === key) out.push(v);
    return out;
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return this.#entries.some(([n]) => n === key);
  }

  set(name: string, values: readonly Uint8Array[]): void {
    this.#mutable();
    const key = checkName(name);
    for (const v of values) checkValue(v);
    this.#entries = this.#entries.filter(([n]) => n !== key);
    for (const v of values) this.#entries.push([key, v]);
  }

  delete(name: string): void {
    this.#mutable();
    const key = checkName(name);
    this.#entries = this.#entries.filter(([n]) => n !== key);
  }

  append(name: string, value: Uint8Array): void {
    this.#mutable();
    this.#entries.push([checkName(name), checkValue(value)]);
  }

  entries(): FieldEntry[] {
    return this.#entries.slice();
  }

  clone(): Fields {
    const fields = new Fields();
    fields.#entries = this.#entries.slice();
    return fields;
  }
}
