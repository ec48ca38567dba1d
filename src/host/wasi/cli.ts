// `wasi:cli/*@0.2.0` for request-scoped components: the environment is the current component's
// `environment` table (read at call time, never frozen into a prepared instance); stdout and stderr
// lines go to the host's structured log; stdin is empty; nothing is a terminal; `exit` ends the
// request with a trap, as it would end a Spin instance.
import type { LogLevel } from '../log.ts';
import type { ScopeRef } from '../scope.ts';
import { InputStream, OutputStream, type ByteSink } from './io.ts';

/** A component called `wasi:cli/exit`. */
export class ComponentExit extends Error {
  override name = 'ComponentExit';
  constructor(readonly ok: boolean) {
    super(`component called exit(${ok ? 'ok' : 'err'})`);
  }
}

const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a component's output into lines and logs each: a line that is itself a JSON log object
 * (`{"level":"info","msg":…}`) keeps its fields and gains `component`; other lines are wrapped.
 */
export class LineLogSink implements ByteSink {
  readonly #decoder = new TextDecoder();
  #pending = '';
  constructor(
    readonly scope: ScopeRef,
    readonly stream: 'stdout' | 'stderr',
  ) {}

  write(bytes: Uint8Array): void {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = this.#pending.indexOf('\n')) >= 0) {
      this.#emit(this.#pending.slice(0, nl));
      this.#pending = this.#pending.slice(nl + 1);
    }
    if (this.#pending.length > MAX_LINE_CHARS) this.flushLine();
  }

  /** Logs a partial last line (end of request). */
  flushLine(): void {
    if (this.#pending.length > 0) this.#emit(this.#pending);
    this.#pending = '';
  }

  #emit(line: string): void {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') return;
    const { log } = this.scope;
    const component = this.scope.componentId;
    if (line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          const { level, msg, ...fields } = parsed as Record<string, unknown>;
          const lvl: LogLevel = level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
          log(lvl, typeof msg === 'string' ? msg : this.stream, { component, ...fields });
          return;
        }
      } catch {
        // not JSON: wrap it below
      }
    }
    log(this.stream === 'stderr' ? 'warn' : 'info', this.stream, { component, line });
  }
}

const emptyInput = { read: () => undefined };

class TerminalInput {}
class TerminalOutput {}

export interface CliImports {
  imports: Record<string, object>;
  /** flush partial lines at the end of a request */
  flush(): void;
}

export function createCliImports(scope: ScopeRef): CliImports {
  const stdout = new LineLogSink(scope, 'stdout');
  const stderr = new LineLogSink(scope, 'stderr');
  return {
    flush() {
      stdout.flushLine();
      stderr.flushLine();
    },
    imports: {
      'wasi:cli/environment': {
        getEnvironment: (): [string, string][] => scope.current?.component.environment.map(([k, v]) => [k, v]) ?? [],
        getArguments: (): string[] => [],
        initialCwd: (): string | undefined => undefined,
      },
      'wasi:cli/exit': {
        exit(status: { tag: 'ok' | 'err' }): never {
          throw new ComponentExit(status.tag === 'ok');
        },
      },
      'wasi:cli/stdin': { getStdin: () => new InputStream(emptyInput) },
      'wasi:cli/stdout': { getStdout: () => new OutputStream(stdout) },
      'wasi:cli/stderr': { getStderr: () => new OutputStream(stderr) },
      'wasi:cli/terminal-input': { TerminalInput },
      'wasi:cli/terminal-output': { TerminalOutput },
      'wasi:cli/terminal-stdin': { getTerminalStdin: (): TerminalInput | undefined => undefined },
      'wasi:cli/terminal-stdout': { getTerminalStdout: (): TerminalOutput | undefined => undefined },
      'wasi:cli/terminal-stderr': { getTerminalStderr: (): TerminalOutput | undefined => undefined },
    },
  };
}
