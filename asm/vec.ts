// A growable u32 array in linear memory. The kernel keeps its hot data in a few of these (flat,
// no objects per node) and reuses them across calls: `clear` keeps the capacity.

export class Vec {
  ptr: usize;
  len: i32 = 0;
  cap: i32;

  constructor(cap: i32 = 64) {
    this.cap = cap;
    this.ptr = heap.alloc(<usize>cap << 2);
  }

  // @ts-ignore: decorator
  @inline get(i: i32): u32 {
    return load<u32>(this.ptr + (<usize>i << 2));
  }

  // @ts-ignore: decorator
  @inline set(i: i32, v: u32): void {
    store<u32>(this.ptr + (<usize>i << 2), v);
  }

  // @ts-ignore: decorator
  @inline push(v: u32): void {
    if (this.len == this.cap) this.reserve(this.len + 1);
    store<u32>(this.ptr + (<usize>this.len << 2), v);
    this.len++;
  }

  pop(): u32 {
    this.len--;
    return this.get(this.len);
  }

  clear(): void {
    this.len = 0;
  }

  /** Room for `n` elements; doubling keeps what the stub runtime cannot free to a constant factor. */
  reserve(n: i32): void {
    if (n <= this.cap) return;
    const cap = max(n, this.cap << 1);
    this.ptr = heap.realloc(this.ptr, <usize>cap << 2);
    this.cap = cap;
  }

  /** `n` elements, each `v`. */
  fill(n: i32, v: u32): void {
    this.reserve(n);
    this.len = n;
    if (v == 0) memory.fill(this.ptr, 0, <usize>n << 2);
    else for (let i = 0; i < n; i++) this.set(i, v);
  }
}
