// The glue fixes applied to jco's output, and which jco the host picks.
import { describe, expect, it } from 'vitest';
import { loadTranspiler, patchGlue } from '../../src/host/transpile.ts';

describe('patchGlue', () => {
  const glue = `"use components";
export function instantiate(getCoreModule, imports) {
  const _debugLog = (...args) => {
    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
    console.debug(...args);
  };
  let realloc0Async;
  try {
    realloc0Async = WebAssembly.promising(exports1.cabi_realloc);
  } catch(err) {
    realloc0Async = exports1.cabi_realloc;
  }
}`;

  it('reads JCO_DEBUG once and stops probing JSPI by exception', () => {
    const out = patchGlue(glue);
    expect(out.split('\n')[0]).toBe('"use components";');
    expect(out).toContain('const JCO_DEBUG_ENABLED = Boolean(globalThis.process?.env?.JCO_DEBUG);');
    expect(out).toContain('if (!JCO_DEBUG_ENABLED) { return; }');
    expect(out).toContain('realloc0Async = jcoPromising(exports1.cabi_realloc);');
    expect(out).not.toContain('WebAssembly.promising(');
    // still a valid module that behaves the same without JSPI
    const exports1 = { cabi_realloc: () => 0 };
    const body = out.replace('"use components";', '').replace('export function instantiate', 'function instantiate');
    expect(() => new Function('exports1', `${body}; return instantiate(() => {}, {});`)(exports1)).not.toThrow();
  });

  it('leaves glue without those patterns unchanged', () => {
    const old = 'export function instantiate(getCoreModule, imports) {}';
    expect(patchGlue(old)).toBe(old);
  });
});

describe('loadTranspiler', () => {
  it('auto prefers the jco 1.4 that the Spin SDK’s componentize-js pins', async () => {
    expect((await loadTranspiler('auto')).id).toMatch(/^jco@1\.4\./);
    expect((await loadTranspiler('componentize')).id).toMatch(/^jco@1\.4\./);
  });

  it('jco is the project’s own @bytecodealliance/jco', async () => {
    expect((await loadTranspiler('jco')).id).toMatch(/^jco@1\.(3[5-9]|[4-9]\d)\./);
  });
});
