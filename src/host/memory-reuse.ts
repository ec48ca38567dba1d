// Linear memories reused across instances. A componentize-js core module defines a ~12 MB memory
// that Wizer pre-filled through ~6.8 MB of active data segments (10,000 of them). Every page a fresh
// memory touches is a page fault, and on this machine (a Firecracker VM) a fault costs ~12 µs: a
// fresh memory cost ~20-35 ms per instance, most of what a small request costs. So the host rewrites
// such a module to *import* its memory, keeps the memories of finished instances, restores them off
// the request path and hands them to the next instantiation: the instance starts from the bytes a
// fresh memory would hold.
//
// The rewrite also hoists the module's active data segments into one image: restoring a memory is
// then one copy of the image and zeroes around it, and instantiating applies no segments. Applying
// 10,000 segments took V8 ~0.6 ms of a ~1.4 ms instantiation (a worker's time between requests);
// the restore costs ~0.45 ms, where zeroing alone was ~0.25 ms.
//
// A memory that grew during its request is reused too, up to a bound: the instance sees a larger
// memory.size than the module declares (the wasm spec allows an imported memory to be larger).
// wasi-libc's allocator, restored by Wizer, still ends its heap where the snapshot did and grows
// from memory.size on, so the extra pages stay unused zeroes and a reused memory grows by a
// request's growth each time; past the bound it is dropped and the next instance gets a fresh one.

/** Import module/name the rewritten module's memory comes from. */
export const MEMORY_IMPORT_MODULE = 'spin-host';
export const MEMORY_IMPORT_NAME = 'memory';

export interface MemorySpec {
  /** pages */
  initial: number;
  maximum: number | undefined;
  /** the module's active data segments, hoisted out of it: every instance's memory starts with them */
  image?: MemoryImage;
}

/** Bytes that belong at `offset` in a fresh instance's memory (all else is zeroes). */
export interface MemoryImage {
  offset: number;
  bytes: Uint8Array;
}

const PAGE_BYTES = 65_536;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_DATA = 11;
const KIND_MEMORY = 0x02;
const OP_I32_CONST = 0x41;
const OP_END = 0x0b;
/** data segment flags: active for memory 0, passive, active with a memory index */
const SEGMENT_ACTIVE = 0;
const SEGMENT_PASSIVE = 1;
const SEGMENT_ACTIVE_INDEXED = 2;

/** An LEB128 field: its bits as an unsigned number, how many bits it had, its last byte, and where the next field starts. */
function readLeb(bytes: Uint8Array, at: number): { value: number; bits: number; last: number; next: number } {
  let value = 0;
  let bits = 0;
  let byte: number;
  do {
    if (at >= bytes.length) throw new Error('truncated LEB128');
    byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** bits;
    bits += 7;
  } while (byte & 0x80);
  return { value, bits, last: byte, next: at };
}

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  const { value, next } = readLeb(bytes, at);
  return [value, next];
}

/** A signed LEB128 i32 (an i32.const immediate). */
function readS32(bytes: Uint8Array, at: number): [value: number, next: number] {
  const { value, bits, last, next } = readLeb(bytes, at);
  // the sign is the last byte's bit 6, extended past the bits read; `| 0` wraps a 5-byte field to 32 bits
  return [(bits < 32 && last & 0x40 ? value - 2 ** bits : value) | 0, next];
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * Rewrites a core module that defines exactly one plain (32-bit, unshared) memory so that it imports
 * it from `spin-host.memory` instead, its active data segments hoisted into the spec's image when
 * they can be (hoistActiveData). Other index spaces are untouched (memory 0 stays memory 0, the
 * `memory` export still exports it). Undefined when the module has no such memory.
 */
export function importMemory(module: Uint8Array): { bytes: Uint8Array<ArrayBuffer>; memory: MemorySpec } | undefined {
  if (module.length < 8 || module[0] !== 0x00 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) return undefined;
  const sections: { id: number; body: Uint8Array }[] = [];
  for (let at = 8; at < module.length; ) {
    const id = module[at++]!;
    const [size, start] = readU32(module, at);
    sections.push({ id, body: module.subarray(start, start + size) });
    at = start + size;
  }
  const memIndex = sections.findIndex((s) => s.id === SECTION_MEMORY);
  if (memIndex < 0) return undefined;
  const mem = sections[memIndex]!.body;
  let [count, at] = readU32(mem, 0);
  if (count !== 1) return undefined;
  const flags = mem[at++]!;
  if ((flags & ~1) !== 0) return undefined; // shared or memory64: leave alone
  let initial: number;
  let maximum: number | undefined;
  [initial, at] = readU32(mem, at);
  if (flags & 1) [maximum, at] = readU32(mem, at);
  const limits = [flags, ...u32(initial), ...(maximum === undefined ? [] : u32(maximum))];

  const enc = new TextEncoder();
  const mod = enc.encode(MEMORY_IMPORT_MODULE);
  const name = enc.encode(MEMORY_IMPORT_NAME);
  const entry = [...u32(mod.length), ...mod, ...u32(name.length), ...name, KIND_MEMORY, ...limits];
  const importIndex = sections.findIndex((s) => s.id === SECTION_IMPORT);
  if (importIndex >= 0) {
    const body = sections[importIndex]!.body;
    const [n, rest] = readU32(body, 0);
    sections[importIndex] = { id: SECTION_IMPORT, body: Uint8Array.from([...u32(n + 1), ...body.subarray(rest), ...entry]) };
  } else {
    // The import section goes after custom/type sections and before everything else.
    const before = sections.findIndex((s) => s.id !== 0 && s.id !== 1);
    sections.splice(before < 0 ? sections.length : before, 0, { id: SECTION_IMPORT, body: Uint8Array.from([...u32(1), ...entry]) });
  }
  sections.splice(
    sections.findIndex((s) => s.id === SECTION_MEMORY),
    1,
  );
  const dataIndex = sections.findIndex((s) => s.id === SECTION_DATA);
  const hoisted = dataIndex < 0 ? undefined : hoistActiveData(sections[dataIndex]!.body, initial);
  if (hoisted) sections[dataIndex] = { id: SECTION_DATA, body: hoisted.body };

  const parts: Uint8Array[] = [module.subarray(0, 8)];
  for (const s of sections) parts.push(Uint8Array.from([s.id, ...u32(s.body.length)]), s.body);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return { bytes: out, memory: { initial, maximum, ...(hoisted ? { image: hoisted.image } : {}) } };
}

/**
 * A data section with each active segment (memory 0, constant offset) made an empty passive one,
 * and those segments' bytes laid out in order in one image. Segment indices stay as they were, for
 * memory.init and data.drop, which find an empty segment as they would a dropped active one.
 * Undefined when there is no active segment, or one the image cannot hold as instantiation would
 * apply it (an offset that is not a constant, or bytes past the initial memory: a failure left
 * for instantiation to report).
 */
function hoistActiveData(body: Uint8Array, initialPages: number): { body: Uint8Array<ArrayBuffer>; image: MemoryImage } | undefined {
  const [count, first] = readU32(body, 0);
  const segments: { raw: Uint8Array; active: { offset: number; data: Uint8Array } | null }[] = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    const start = at;
    let flags: number;
    [flags, at] = readU32(body, at);
    if (flags !== SEGMENT_ACTIVE && flags !== SEGMENT_PASSIVE && flags !== SEGMENT_ACTIVE_INDEXED) return undefined;
    if (flags === SEGMENT_ACTIVE_INDEXED) {
      let memory: number;
      [memory, at] = readU32(body, at);
      if (memory !== 0) return undefined;
    }
    let offset = 0;
    if (flags !== SEGMENT_PASSIVE) {
      if (body[at++] !== OP_I32_CONST) return undefined;
      [offset, at] = readS32(body, at);
      if (body[at++] !== OP_END) return undefined;
      offset >>>= 0; // an i32.const address is unsigned
    }
    let length: number;
    [length, at] = readU32(body, at);
    if (at + length > body.length) throw new Error('truncated data segment');
    const data = body.subarray(at, at + length);
    at += length;
    if (flags !== SEGMENT_PASSIVE && offset + length > initialPages * PAGE_BYTES) return undefined;
    segments.push({ raw: body.subarray(start, at), active: flags === SEGMENT_PASSIVE ? null : { offset, data } });
  }
  const active = segments.flatMap((s) => (s.active === null ? [] : [s.active]));
  if (active.length === 0) return undefined;
  // a loop, not Math.min(...): a module may have more segments than a call may have arguments
  let from = Infinity;
  let to = 0;
  for (const s of active) {
    from = Math.min(from, s.offset);
    to = Math.max(to, s.offset + s.data.length);
  }
  const image = new Uint8Array(to - from);
  for (const s of active) image.set(s.data, s.offset - from);

  const emptyPassive = [SEGMENT_PASSIVE, 0];
  const head = u32(count);
  const size = head.length + segments.reduce((n, s) => n + (s.active === null ? s.raw.length : emptyPassive.length), 0);
  const out = new Uint8Array(size);
  out.set(head, 0);
  let offset = head.length;
  for (const s of segments) {
    const bytes = s.active === null ? s.raw : emptyPassive;
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return { body: out, image: { offset: from, bytes: image } };
}

/** How far beyond its declared size a memory may have grown and still be reused (64 MiB). */
export const REUSE_HEADROOM_PAGES = 1024;

/** Finished instances' memories, restored and ready for the next instantiation of one module. */
export class MemoryPool {
  readonly #free: WebAssembly.Memory[] = [];
  readonly #dirty: WebAssembly.Memory[] = [];
  #made = 0;
  constructor(
    readonly spec: MemorySpec,
    readonly capacity = 2,
    readonly reusePages = spec.initial + REUSE_HEADROOM_PAGES,
  ) {}

  /** A memory of at least the module's initial size as a fresh instance finds it: reused when one is clean, else new. */
  take(): WebAssembly.Memory {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    this.#made++;
    const memory = new WebAssembly.Memory({ initial: this.spec.initial, ...(this.spec.maximum === undefined ? {} : { maximum: this.spec.maximum }) });
    const { image } = this.spec;
    if (image) new Uint8Array(memory.buffer).set(image.bytes, image.offset);
    return memory;
  }

  /** How many memories it has made (not reused): each costs its pages' first faults. */
  get made(): number {
    return this.#made;
  }

  /** Gives back the memory of an instance that will never run again; `clean()` restores it later. */
  release(memory: WebAssembly.Memory): void {
    if (memory.buffer.byteLength > this.reusePages * PAGE_BYTES) return; // grew past the bound: let GC have it
    if (this.#free.length + this.#dirty.length >= this.capacity) return;
    this.#dirty.push(memory);
  }

  /** Restores released memories to the image and zeroes around it (off the request path). */
  clean(): void {
    const { image } = this.spec;
    for (let m = this.#dirty.pop(); m; m = this.#dirty.pop()) {
      const bytes = new Uint8Array(m.buffer);
      if (image) {
        bytes.fill(0, 0, image.offset);
        bytes.set(image.bytes, image.offset);
        bytes.fill(0, image.offset + image.bytes.length);
      } else {
        bytes.fill(0);
      }
      this.#free.push(m);
    }
  }
}
