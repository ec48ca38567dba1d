// `wasi:http/types@0.2.0` in memory: the incoming request is built from bytes the main thread
// already read, and the outgoing response is collected into bytes the main thread writes out.
// An outbound request is collected the same way and sent whole when its response is asked for
// (`outgoing.ts`); its response arrives whole too.
import { ComponentError } from '../errors.ts';
import { Fields, type FieldEntry } from './fields.ts';
import { BytesSource, ChunksSink, InputStream, OutputStream, Pollable, READY_POLLABLE, type IoError } from '../wasi/io.ts';

export { Fields };

export type Method =
  | { tag: 'get' }
  | { tag: 'head' }
  | { tag: 'post' }
  | { tag: 'put' }
  | { tag: 'delete' }
  | { tag: 'connect' }
  | { tag: 'options' }
  | { tag: 'trace' }
  | { tag: 'patch' }
  | { tag: 'other'; val: string };

export type Scheme = { tag: 'HTTP' } | { tag: 'HTTPS' } | { tag: 'other'; val: string };

/** `wasi:http/types` `error-code` (the cases the host produces are spelled out; the rest pass through). */
export type ErrorCode =
  | { tag: 'HTTP-request-denied' }
  | { tag: 'HTTP-response-incomplete' }
  | { tag: 'internal-error'; val: string | undefined }
  | { tag: string; val?: unknown };

export type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

const KNOWN_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);

export function toMethod(method: string): Method {
  const lower = method.toLowerCase();
  return KNOWN_METHODS.has(lower) && method === method.toUpperCase() ? ({ tag: lower } as Method) : { tag: 'other', val: method };
}

export function fromMethod(method: Method): string {
  return method.tag === 'other' ? method.val : method.tag.toUpperCase();
}

/** A WIT `result<T>` with a unit error (`consume`, `body`, `stream`…) failing. */
const unitError = (): ComponentError<undefined> => new ComponentError(undefined, 'resource already taken');

export interface IncomingRequestInit {
  method: string;
  pathWithQuery: string;
  authority: string;
  headers: FieldEntry[];
  /** read when the component first reads the body (never, for one that answers from the headers) */
  body: () => Uint8Array;
}

export class IncomingRequest {
  readonly #init: IncomingRequestInit;
  #consumed = false;
  constructor(init: IncomingRequestInit) {
    this.#init = init;
  }
  method(): Method {
    return toMethod(this.#init.method);
  }
  pathWithQuery(): string | undefined {
    return this.#init.pathWithQuery;
  }
  scheme(): Scheme | undefined {
    return { tag: 'HTTP' };
  }
  authority(): string | undefined {
    return this.#init.authority;
  }
  headers(): Fields {
    return Fields.immutable(this.#init.headers);
  }
  consume(): IncomingBody {
    if (this.#consumed) throw unitError();
    this.#consumed = true;
    return new IncomingBody(this.#init.body);
  }
}

export class IncomingBody {
  readonly #bytes: Uint8Array | (() => Uint8Array);
  #streamed = false;
  constructor(bytes: Uint8Array | (() => Uint8Array)) {
    this.#bytes = bytes;
  }
  stream(): InputStream {
    if (this.#streamed) throw unitError();
    this.#streamed = true;
    return new InputStream(new BytesSource(this.#bytes));
  }
  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
}

/** Trailers of a body that had none: resolved at once, readable once. */
export class FutureTrailers {
  #taken = false;
  subscribe(): Pollable {
    return READY_POLLABLE();
  }
  get(): Result<Result<Fields | undefined, ErrorCode>, undefined> | undefined {
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

export class OutgoingResponse {
  readonly #headers: Fields;
  #status = 200;
  #body: OutgoingBody | undefined;
  constructor(headers: Fields) {
    this.#headers = headers.freeze();
  }
  statusCode(): number {
    return this.#status;
  }
  setStatusCode(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw unitError();
    this.#status = status;
  }
  headers(): Fields {
    return Fields.immutable(this.#headers.rawEntries as FieldEntry[]);
  }
  body(): OutgoingBody {
    if (this.#body) throw unitError();
    return (this.#body = new OutgoingBody());
  }
  /** Host side: what to send. */
  get sent(): { status: number; headers: readonly FieldEntry[]; body: OutgoingBody | undefined } {
    return { status: this.#status, headers: this.#headers.rawEntries, body: this.#body };
  }
}

export class OutgoingBody {
  readonly sink = new ChunksSink();
  #writing = false;
  finished = false;
  trailers: Fields | undefined;
  write(): OutputStream {
    if (this.#writing) throw unitError();
    this.#writing = true;
    return new OutputStream(this.sink);
  }
  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    body.finished = true;
    body.sink.closed = true;
    body.trailers = trailers;
  }
}

/** What the component answered, filled by `ResponseOutparam.set`. */
export class Exchange {
  response: OutgoingResponse | undefined;
  error: ErrorCode | undefined;
  answered = false;
}

export class ResponseOutparam {
  readonly #exchange: Exchange;
  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }
  static set(param: ResponseOutparam, response: Result<OutgoingResponse, ErrorCode>): void {
    const exchange = param.#exchange;
    if (exchange.answered) throw new Error('wasi:http: response-outparam.set called twice');
    exchange.answered = true;
    if (response.tag === 'ok') exchange.response = response.val;
    else exchange.error = response.val;
  }
}

// ---- outbound requests (outgoing-handler) ----

export class OutgoingRequest {
  readonly #headers: Fields;
  #method: Method = { tag: 'get' };
  #pathWithQuery: string | undefined;
  #scheme: Scheme | undefined;
  #authority: string | undefined;
  #body: OutgoingBody | undefined;
  constructor(headers: Fields) {
    this.#headers = headers.freeze();
  }
  body(): OutgoingBody {
    if (this.#body) throw unitError();
    return (this.#body = new OutgoingBody());
  }
  method(): Method {
    return this.#method;
  }
  setMethod(method: Method): void {
    this.#method = method;
  }
  pathWithQuery(): string | undefined {
    return this.#pathWithQuery;
  }
  setPathWithQuery(value: string | undefined): void {
    this.#pathWithQuery = value;
  }
  scheme(): Scheme | undefined {
    return this.#scheme;
  }
  setScheme(value: Scheme | undefined): void {
    this.#scheme = value;
  }
  authority(): string | undefined {
    return this.#authority;
  }
  setAuthority(value: string | undefined): void {
    this.#authority = value;
  }
  headers(): Fields {
    return Fields.immutable(this.#headers.rawEntries as FieldEntry[]);
  }
  /** Host side: the body the component wrote, if it asked for one. */
  get sentBody(): OutgoingBody | undefined {
    return this.#body;
  }
  /** Host side, for log lines. */
  describe(): string {
    const scheme = this.#scheme === undefined ? 'https' : this.#scheme.tag === 'other' ? this.#scheme.val : this.#scheme.tag.toLowerCase();
    return `${fromMethod(this.#method)} ${scheme}://${this.#authority ?? ''}${this.#pathWithQuery ?? ''}`;
  }
}

export class RequestOptions {
  #connect: bigint | undefined;
  #firstByte: bigint | undefined;
  #betweenBytes: bigint | undefined;
  connectTimeout(): bigint | undefined {
    return this.#connect;
  }
  setConnectTimeout(d: bigint | undefined): void {
    this.#connect = d;
  }
  firstByteTimeout(): bigint | undefined {
    return this.#firstByte;
  }
  setFirstByteTimeout(d: bigint | undefined): void {
    this.#firstByte = d;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.#betweenBytes;
  }
  setBetweenBytesTimeout(d: bigint | undefined): void {
    this.#betweenBytes = d;
  }
}

/**
 * The answer to an outbound request. The request is sent when the answer is first asked for:
 * by then the component has written and finished the body (it writes before it waits).
 */
export class FutureIncomingResponse {
  readonly #send: () => Result<IncomingResponse, ErrorCode>;
  #answer: Result<IncomingResponse, ErrorCode> | undefined;
  #taken = false;
  constructor(send: () => Result<IncomingResponse, ErrorCode>) {
    this.#send = send;
  }
  subscribe(): Pollable {
    return READY_POLLABLE();
  }
  get(): Result<Result<IncomingResponse, ErrorCode>, undefined> | undefined {
    if (this.#taken) return { tag: 'err', val: undefined };
    this.#taken = true;
    this.#answer ??= this.#send();
    return { tag: 'ok', val: this.#answer };
  }
}

export class IncomingResponse {
  readonly #status: number;
  readonly #headers: FieldEntry[];
  readonly #body: Uint8Array;
  #consumed = false;
  constructor(status: number, headers: FieldEntry[], body: Uint8Array) {
    this.#status = status;
    this.#headers = headers;
    this.#body = body;
  }
  status(): number {
    return this.#status;
  }
  headers(): Fields {
    return Fields.immutable(this.#headers);
  }
  consume(): IncomingBody {
    if (this.#consumed) throw unitError();
    this.#consumed = true;
    return new IncomingBody(this.#body);
  }
}

export function createHttpTypesImport() {
  return {
    Fields,
    FutureIncomingResponse,
    FutureTrailers,
    IncomingBody,
    IncomingRequest,
    IncomingResponse,
    OutgoingBody,
    OutgoingRequest,
    OutgoingResponse,
    RequestOptions,
    ResponseOutparam,
    httpErrorCode: (_err: IoError): ErrorCode | undefined => undefined,
  };
}
