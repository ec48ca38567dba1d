// Export: the whole timeline the app holds (paged from /api/timeline, merged with what this page
// saw live) or the events matching the current filter, as a JSON array of events — the shape
// `scripts/export-timeline.ts` writes and `json.load` reads.
import { wholeTimeline, type TimelineEvent } from '../api.ts';
import { EventLog, type EventFilter } from '../event-log.ts';
import { byId } from '../dom.ts';

export function exportFileName(now: Date): string {
  return `timeline-${now.toISOString().replace(/[:.]/g, '-')}.json`;
}

function download(events: readonly TimelineEvent[]): void {
  const blob = new Blob([JSON.stringify(events, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(new Date());
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function wireExport(log: EventLog, filter: () => EventFilter): void {
  const all = byId<HTMLButtonElement>('export-all');
  all.addEventListener('click', async () => {
    all.disabled = true;
    all.textContent = 'Exporting…';
    try {
      const merged = new EventLog();
      merged.add(log.all());
      merged.add(await wholeTimeline());
      download(merged.all());
    } catch {
      download(log.all()); // the app is unreachable: export what this page has
    } finally {
      all.disabled = false;
      all.textContent = 'Export all';
    }
  });
  byId('export-filtered').addEventListener('click', () => download(log.filtered(filter())));
}
