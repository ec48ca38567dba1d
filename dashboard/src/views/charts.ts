// Charts of messages/s and delivery latency (p50, p95), one point per metrics poll.
import type { NetworkMetrics } from '../api.ts';
import { byId, html } from '../dom.ts';

const POINTS = 90;

interface Series {
  label: string;
  colour: string;
  values: (number | null)[];
}

export class ChartsView {
  private readonly root = byId('charts');
  private readonly rate: Series[] = [{ label: 'messages/s', colour: '#3e63dd', values: [] }, { label: 'syncs/s', colour: '#30a46c', values: [] }];
  private readonly latency: Series[] = [{ label: 'latency p50 ms', colour: '#9be3bf', values: [] }, { label: 'latency p95 ms', colour: '#f5a524', values: [] }];
  private readonly canvases: [HTMLCanvasElement, HTMLCanvasElement];
  private readonly caption = html('p', 'Collecting metrics…', 'muted');

  constructor() {
    const a = html('canvas');
    const b = html('canvas');
    a.setAttribute('aria-label', 'messages and syncs per second');
    b.setAttribute('aria-label', 'delivery latency p50 and p95');
    this.canvases = [a, b];
    this.root.replaceChildren(a, b, this.caption);
  }

  add(m: NetworkMetrics): void {
    const push = (s: Series, v: number | null): void => {
      s.values.push(v);
      if (s.values.length > POINTS) s.values.shift();
    };
    push(this.rate[0]!, m.performance.messages_per_second);
    push(this.rate[1]!, m.performance.syncs_per_second);
    push(this.latency[0]!, m.performance.delivery_latency_ms.p50);
    push(this.latency[1]!, m.performance.delivery_latency_ms.p95);
    const l = m.performance.delivery_latency_ms;
    this.caption.textContent = `${m.performance.messages_per_second} msg/s · ${m.performance.syncs_per_second} syncs/s · latency p50 ${l.p50 ?? '–'} ms, p95 ${l.p95 ?? '–'} ms (${l.samples} samples, last ${m.performance.window_seconds} s)`;
    draw(this.canvases[0], this.rate);
    draw(this.canvases[1], this.latency);
  }
}

function draw(canvas: HTMLCanvasElement, series: Series[]): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 90;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, height);
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  ctx.font = '11px system-ui';
  series.forEach((s, i) => {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, j) => {
      if (v === null) {
        pen = false;
        return;
      }
      const px = (j / (POINTS - 1)) * width;
      const py = height - 14 - (v / max) * (height - 20);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    });
    ctx.stroke();
    ctx.fillText(s.label, 4 + i * 110, height - 2);
  });
  ctx.fillStyle = '#8b93a7';
  ctx.fillText(`max ${Math.round(max * 10) / 10}`, width - 60, 10);
}
