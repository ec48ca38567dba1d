// Linear memories reused across instances. A componentize-js core module defines a ~9 MB memory
// that Wizer pre-filled through ~4.7 MB of active data segments. Every page a fresh memory touches
// is a page fault, and on this machine (a Firecracker VM) a fault costs ~12 µs: a fresh memory cost
// ~20-35 ms per instance, most of what a small request costs. So the host rewrites such a module to
// *import* its memory, keeps the memories of finished instances, zeroes them off the request path
// (~1.5 ms for 64 MiB already paged in) and hands them to the next instantiation, where the data
// segments are applied again: the instance starts from the bytes a fresh memory would hold.
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
}

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const KIND_MEMORY = 0x02;

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    if (at >= bytes.length) throw new Error('truncated LEB128');
    byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
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
 * it from `spin-host.memory` instead. Other index spaces are untouched (memory 0 stays memory 0,
 * the `memory` export still exports it). Undefined when the module has no such memory.
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

  const parts: Uint8Array[] = [module.subarray(0, 8)];
  for (const s of sections) parts.push(Uint8Array.from([s.id, ...u32(s.body.length)]), s.body);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return { bytes: out, memory: { initial, maximum } };
}

const PAGE_BYTES = 65_536;
/** How far beyond its declared size a memory may have grown and still be reused (64 MiB). */
export const REUSE_HEADROOM_PAGES = 1024;

/** Finished instances' memories, zeroed and ready for the next instantiation of one module. */
export class MemoryPool {
  readonly #free: WebAssembly.Memory[] = [];
  readonly #dirty: WebAssembly.Memory[] = [];
  #made = 0;
  constructor(
    readonly spec: MemorySpec,
    readonly capacity = 2,
    readonly reusePages = spec.initial + REUSE_HEADROOM_PAGES,
  ) {}

  /** A zeroed memory of at least the module's initial size: reused when one is clean, else new. */
  take(): WebAssembly.Memory {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    this.#made++;
    return new WebAssembly.Memory({ initial: this.spec.initial, ...(this.spec.maximum === undefined ? {} : { maximum: this.spec.maximum }) });
  }

  /** How many memories it has made (not reused): each costs its pages' first faults. */
  get made(): number {
    return this.#made;
  }

  /** Gives back the memory of an instance that will never run again; `clean()` zeroes it later. */
  release(memory: WebAssembly.Memory): void {
    if (memory.buffer.byteLength > this.reusePages * PAGE_BYTES) return; // grew past the bound: let GC have it
    if (this.#free.length + this.#dirty.length >= this.capacity) return;
    this.#dirty.push(memory);
  }

  /** Zeroes released memories (off the request path). */
  clean(): void {
    for (let m = this.#dirty.pop(); m; m = this.#dirty.pop()) {
      new Uint8Array(m.buffer).fill(0);
      this.#free.push(m);
    }
  }
}
