// The nats.conf k8s/nats.yaml mounts is one nats-server itself accepts (`-t`: syntax and every
// field known to it), and its StatefulSet probes the paths the cluster suite checks for real.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findNatsServer } from '../../src/gateway/nats-server.ts';
import { NATS_PROBES } from '../../scripts/manifests/k8s/nats.ts';
import { skipKind } from '../gateway/harness.ts';

const docs = parseAllDocuments(readFileSync(resolve(import.meta.dirname, '..', '..', 'k8s', 'nats.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);

describe.skipIf(skipKind('nats'))("k8s/nats.yaml's broker config", () => {
  it('passes nats-server -t', async () => {
    const conf = docs.find((d) => d.kind === 'ConfigMap')?.data['nats.conf'] as string;
    expect(conf).toContain('cluster {');
    expect(conf).toContain('authorization {');
    expect(conf).not.toContain('no_auth_user'); // no anonymous browser may listen
    const dir = mkdtempSync(join(tmpdir(), 'nats-conf-'));
    try {
      writeFileSync(join(dir, 'nats.conf'), conf);
      const { stdout, stderr } = await promisify(execFile)(findNatsServer()!, ['-t', '-c', join(dir, 'nats.conf')], {
        // what the pod's environment holds, the passwords from the operator's Secret
        env: { ...process.env, SERVER_NAME: 'nats-0', NATS_GATEWAY_PASSWORD: 'gw-0123abcd', NATS_DASHBOARD_PASSWORD: 'db-4567ef' },
      });
      expect(stdout + stderr).toContain('is valid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('probes the monitor port at the paths the cluster suite calls', () => {
    const container = docs.find((d) => d.kind === 'StatefulSet')?.spec.template.spec.containers[0];
    expect([container.startupProbe, container.readinessProbe, container.livenessProbe].map((p: { httpGet: { path: string; port: string } }) => p.httpGet)).toEqual([
      { path: NATS_PROBES.startup, port: 'monitor' },
      { path: NATS_PROBES.readiness, port: 'monitor' },
      { path: NATS_PROBES.liveness, port: 'monitor' },
    ]);
  });
});
