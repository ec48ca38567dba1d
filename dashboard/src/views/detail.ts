// The event detail: the event as exported, and for a message its other end.
import type { TimelineEvent } from '../api.ts';
import type { EventLog } from '../event-log.ts';
import { byId, html, keyValues } from '../dom.ts';

export class DetailView {
  private readonly root = byId('detail');

  constructor(private readonly log: EventLog) {}

  show(e: TimelineEvent): void {
    const rows: [string, string][] = [
      ['type', e.type],
      ['agent', String(e.agent)],
      ['time', e.timestamp],
      ['hlc', e.hlc],
    ];
    if (e.subject !== undefined) rows.push(['subject', e.subject]);
    if (e.peer !== undefined) rows.push([e.type === 'message_in' ? 'from' : 'peer', String(e.peer)]);
    if (e.bytes !== undefined) rows.push(['bytes', String(e.bytes)]);
    if (e.duration_ms !== undefined) rows.push([e.type === 'message_in' ? 'latency' : 'duration', `${e.duration_ms} ms`]);
    const other = this.log.counterpart(e);
    if (other !== undefined) rows.push([e.type === 'message_in' ? 'sent' : 'received', `by agent ${other.agent} at ${other.timestamp}`]);
    const view = html('div');
    view.dataset.eventId = e.id;
    view.append(keyValues(rows), html('pre', JSON.stringify(e, null, 2)));
    this.root.replaceChildren(view);
  }
}
