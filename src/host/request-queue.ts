// The requests waiting for a worker: reads and the rest in two first-come queues, taken in turn.
// Spin serves concurrent requests at once (spin-core makes each instance yield to its async
// runtime every ~10 ms epoch tick); a worker here runs one request to its end, so a single queue
// made a 3 ms state read wait behind every queued delivery, tick and write (GET /state p95 ~1 s
// under the bench's write load on two workers). Taking the two in turn bounds a read's wait by
// about one request per busy worker, as time slicing would, and neither kind can starve the other.

export class RequestQueue<T> {
  readonly #reads: T[] = [];
  readonly #others: T[] = [];
  #readNext = true;

  /** `isRead`: whether a request only reads (GET, HEAD) */
  constructor(private readonly isRead: (request: T) => boolean) {}

  get length(): number {
    return this.#reads.length + this.#others.length;
  }

  push(request: T): void {
    (this.isRead(request) ? this.#reads : this.#others).push(request);
  }

  /** The next request to serve: the oldest of one kind, the kinds in turn while both wait. */
  shift(): T | undefined {
    const read = this.#reads.length > 0 && (this.#readNext || this.#others.length === 0);
    this.#readNext = !read;
    return read ? this.#reads.shift() : this.#others.shift();
  }

  /** Every waiting request, oldest first within each kind; the queue is left empty. */
  takeAll(): T[] {
    return [...this.#reads.splice(0), ...this.#others.splice(0)];
  }
}

/** Whether an HTTP method only reads. */
export function readsOnly(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}
