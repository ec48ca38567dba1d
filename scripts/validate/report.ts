// What `npm run validate` found: each problem names the file, where in it, and what is wrong.
export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  file: string;
  /** a path inside the file: `[component.agent-3].variables.agent_id`, `Deployment/crdt-gateway spec.replicas` */
  at: string;
  message: string;
}

export class Report {
  readonly problems: Problem[] = [];

  error(file: string, at: string, message: string): void {
    this.problems.push({ severity: 'error', file, at, message });
  }

  warn(file: string, at: string, message: string): void {
    this.problems.push({ severity: 'warning', file, at, message });
  }

  get errors(): Problem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  get warnings(): Problem[] {
    return this.problems.filter((p) => p.severity === 'warning');
  }
}

export function formatProblem(p: Problem): string {
  return `${p.severity}: ${p.file}${p.at === '' ? '' : ` ${p.at}`}: ${p.message}`;
}
