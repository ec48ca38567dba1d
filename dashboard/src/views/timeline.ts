// The live timeline: one lane per agent, events placed by their HLC wall time (so a receive is
// never left of its send), an arrow from each send to its receive, zoom and pause, click for the
// event's detail.
import type { TimelineEvent } from '../api.ts';
import { hlcWall, type EventFilter, type EventLog } from '../event-log.ts';
import { byId, stateLine, svg } from '../dom.ts';

/** Window lengths the zoom steps through. */
export const ZOOM_STEPS_MS = [5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];
const LANE_PX = 26;
const LABEL_PX = 64;
const WIDTH_PX = 900;
/** Events drawn at most per frame (the newest); the log keeps the rest. */
const MAX_DRAWN = 1_500;

export class TimelineView {
  private readonly root = byId('timeline');
  private readonly count = byId('timeline-count');
  private readonly zoomLabel = byId('zoom-label');
  private zoom = 2;
  private paused = false;
  private pausedAt = 0;
  private selected: string | null = null;
  private scheduled = false;
  /** what the last frame drew, by id: clicks are handled once, on the container */
  private drawn = new Map<string, TimelineEvent>();
  filter: EventFilter = { agent: null, type: null };

  constructor(
    private readonly log: EventLog,
    private readonly agents: number,
    private readonly onSelectEvent: (e: TimelineEvent) => void,
    private readonly onSelectAgent: (agent: number) => void,
  ) {
    const pause = byId<HTMLButtonElement>('pause');
    pause.addEventListener('click', () => {
      this.paused = !this.paused;
      this.pausedAt = Date.now();
      pause.setAttribute('aria-pressed', String(this.paused));
      pause.textContent = this.paused ? 'Resume' : 'Pause';
      this.schedule();
    });
    byId('zoom-in').addEventListener('click', () => this.setZoom(this.zoom - 1));
    byId('zoom-out').addEventListener('click', () => this.setZoom(this.zoom + 1));
    this.root.addEventListener('wheel', (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      this.setZoom(this.zoom + (e.deltaY > 0 ? 1 : -1));
    });
    this.root.addEventListener('click', (e) => {
      const target = e.target instanceof Element ? e.target : null;
      const lane = target?.closest('[data-lane]');
      if (lane instanceof SVGElement) this.onSelectAgent(Number(lane.dataset.lane));
      const id = target?.closest('circle.ev')?.getAttribute('data-id');
      const event = id == null ? undefined : this.drawn.get(id);
      if (event === undefined) return;
      this.select(event.id);
      this.onSelectEvent(event);
    });
    // new events and the sliding window redraw, unless paused: a paused timeline holds still
    log.onAdd(() => this.paused || this.schedule());
    this.setZoom(this.zoom);
    setInterval(() => this.paused || this.schedule(), 1_000);
  }

  setFilter(filter: EventFilter): void {
    this.filter = filter;
    this.schedule();
  }

  select(id: string | null): void {
    this.selected = id;
    this.schedule();
  }

  private setZoom(step: number): void {
    this.zoom = Math.max(0, Math.min(ZOOM_STEPS_MS.length - 1, step));
    this.zoomLabel.textContent = `last ${ZOOM_STEPS_MS[this.zoom]! / 1000} s`;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const total = this.log.size;
    const matching = this.log.filtered(this.filter);
    this.count.textContent = `${matching.length} of ${total} events${this.paused ? ' · paused' : ''}`;
    if (total === 0) {
      this.root.replaceChildren(stateLine('Waiting for events… (agents report them as they sync: a tick every SYNC_INTERVAL)'));
      return;
    }
    const span = ZOOM_STEPS_MS[this.zoom]!;
    const newest = hlcWall(this.log.newest()!.hlc);
    const end = Math.max(this.paused ? this.pausedAt : Date.now(), this.paused ? 0 : newest);
    const start = end - span;
    const visible = matching.filter((e) => {
      const t = hlcWall(e.hlc);
      return t >= start && t <= end;
    }).slice(-MAX_DRAWN);
    const height = this.agents * LANE_PX + 20;
    const x = (t: number): number => LABEL_PX + ((t - start) / span) * (WIDTH_PX - LABEL_PX - 8);
    const y = (agent: number): number => 10 + agent * LANE_PX + LANE_PX / 2;
    const root = svg('svg', { viewBox: `0 0 ${WIDTH_PX} ${height}`, role: 'img', 'aria-label': `timeline of the last ${span / 1000} s` });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'head', viewBox: '0 0 6 6', refX: 6, refY: 3, markerWidth: 6, markerHeight: 6, orient: 'auto' });
    marker.append(svg('path', { d: 'M0,0 L6,3 L0,6 z', fill: '#8b93a7' }));
    defs.append(marker);
    root.append(defs);
    for (let agent = 0; agent < this.agents; agent++) {
      root.append(svg('line', { class: 'lane', x1: LABEL_PX, x2: WIDTH_PX - 4, y1: y(agent), y2: y(agent) }));
      const label = svg('text', { class: 'lane-label', x: 4, y: y(agent) + 4, 'data-lane': agent });
      label.textContent = `agent ${agent}`;
      root.append(label);
    }
    const sends = new Map<string, TimelineEvent>();
    for (const e of visible) if (e.type === 'message_out' && typeof e.detail.envelope_id === 'string') sends.set(e.detail.envelope_id, e);
    for (const e of visible) {
      if (e.type !== 'message_in' || typeof e.detail.envelope_id !== 'string') continue;
      const send = sends.get(e.detail.envelope_id);
      if (send === undefined) continue;
      root.append(svg('line', { class: 'arrow', x1: x(hlcWall(send.hlc)), y1: y(send.agent), x2: x(hlcWall(e.hlc)), y2: y(e.agent), 'marker-end': 'url(#head)' }));
    }
    // messages (the many small dots) first, then syncs, rewrites and compactions, then users' writes
    // and errors, so what a user looks for lies on top and stays clickable where dots crowd together
    // (a write's syncs at its agent land within milliseconds of it)
    for (const e of [...visible].sort((a, b) => drawLayer(a) - drawLayer(b))) {
      const dot = svg('circle', {
        class: `ev ${e.type}${e.id === this.selected ? ' selected' : ''}`,
        cx: x(hlcWall(e.hlc)),
        cy: y(e.agent),
        r: e.type.startsWith('message') ? 3.5 : 5,
        'data-id': e.id,
        'data-type': e.type,
      });
      const title = svg('title');
      title.textContent = `${e.type}${e.subject ? ` ${e.subject}` : ''} · agent ${e.agent} · ${e.timestamp}`;
      dot.append(title);
      root.append(dot);
    }
    this.drawn = new Map(visible.map((e) => [e.id, e]));
    this.root.replaceChildren(root);
    if (visible.length === 0) this.root.append(stateLine(`No ${this.filter.agent !== null || this.filter.type !== null ? 'matching ' : ''}events in the last ${span / 1000} s.`));
  }
}

/** Which layer an event's dot is drawn in: higher lies on top. */
function drawLayer(e: TimelineEvent): number {
  if (e.type.startsWith('message')) return 0;
  return e.type === 'write_applied' || e.type === 'error' ? 2 : 1;
}
