// NATS subject wildcards for the in-process bus: `*` matches exactly one token, `>` (last token
// only) matches one or more remaining tokens. `agent.*.sync` ≠ `agent.1.sync.x`; `agent.>` ⊇ both.

export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** A valid publish subject: non-empty tokens, no wildcards, no whitespace. */
export function isPublishSubject(subject: string): boolean {
  return subject.split('.').every((t) => t !== '' && t !== '*' && t !== '>' && !/\s/.test(t));
}
