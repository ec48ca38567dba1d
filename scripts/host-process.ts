// The local host in a process of its own, as `npm run host` runs it (dist/host.mjs: plain JS, its
// workers too), the way Spin runs beside the gateway in production. `npm start` and the bench use
// it. The child tells its parent where it listens over an IPC channel (whatever its LOG_LEVEL), and
// stops when that channel closes, so a host never outlives the process that started it.
import { spawn } from 'node:child_process';
import { HOST_BUNDLE } from './build-host.ts';

/** What the host sends on its IPC channel once it listens (scripts/host.ts). */
export interface HostListening {
  type: 'listening';
  url: string;
}

export interface HostProcess {
  url: string;
  pid: number;
  /** resolves with the exit code (or signal name) when the host process ends, however it ends */
  exited: Promise<number | string>;
  /** SIGTERM, then waits for it to end */
  close(): Promise<void>;
}

export interface HostProcessOptions {
  manifestPath: string;
  /** host:port (port 0: any free port) */
  listen: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** where the host's log lines go (default: this process's stdout) */
  logsTo?: 'stdout' | 'stderr';
}

export function isHostListening(msg: unknown): msg is HostListening {
  return typeof msg === 'object' && msg !== null && (msg as HostListening).type === 'listening' && typeof (msg as HostListening).url === 'string';
}

/**
 * The host's main thread's V8 semi-space (MB): it parses requests and hands them to the workers,
 * and keeps little; with V8's default (16 MB semi-spaces) its young generation grows under load
 * and stays grown.
 * The bench (run 19, two runs each): host peak RSS under the write load 563, 518 MB with V8's
 * default, 463, 465 MB at 4 MB, 460, 432 MB at 1 MB; but at 1 MB its scavenges slowed c8 state
 * reads (221, 221 req/s against 273, 304 at 4 MB and 290, 268 with the default).
 * `npm run host` passes it too.
 */
const HOST_SEMI_SPACE_FLAG = '--max-semi-space-size=4';

/** Starts dist/host.mjs (build it first: scripts/build.ts) and resolves once it listens. */
export async function spawnHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const child = spawn(process.execPath, [HOST_SEMI_SPACE_FLAG, HOST_BUNDLE, '--from', options.manifestPath, '--listen', options.listen, '--state-dir', options.stateDir], {
    // glibc gives each thread that allocates an arena of its own and keeps what they free: with two
    // component workers, ~7 arenas held ~120 MB more at the peak of a write load (npm start, 16
    // clients) than two do, at the same throughput. It also raises its mmap threshold as large
    // blocks are freed, so later ones come from the heap and stay with it: fixed thresholds give
    // them back (the host's peak 733 / 689 → 610 / 645 MB in two pairs, then 445 → 402 MB once the
    // pool stopped making fresh linear memories; the same PUTs/s). The caller's settings win.
    env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', ...options.env },
    stdio: ['ignore', options.logsTo === 'stderr' ? 2 : 1, 2, 'ipc'],
  });
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (msg) => {
      if (isHostListening(msg)) resolve(msg.url);
    });
    child.once('error', reject);
    void exited.then((how) => reject(new Error(`the host (${HOST_BUNDLE}) exited (${how}) before listening`)));
  });
  return {
    url,
    pid: child.pid!,
    exited,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
