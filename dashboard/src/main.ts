// The dashboard: topology, live timeline, agent inspector, event detail, convergence banner,
// charts and export, wired to the app's API and (when configured) NATS over WebSocket.
import { metrics, topology, type Topology } from './api.ts';
import { byId, stateLine } from './dom.ts';
import { EventLog } from './event-log.ts';
import { startLive } from './live.ts';
import { BannerView } from './views/banner.ts';
import { ChartsView } from './views/charts.ts';
import { DetailView } from './views/detail.ts';
import { wireExport } from './views/export.ts';
import { InspectorView, addedTerms } from './views/inspector.ts';
import { TimelineView } from './views/timeline.ts';
import { TopologyView } from './views/topology.ts';

const METRICS_INTERVAL_MS = 2_000;
const TOPOLOGY_RETRY_MS = 3_000;
const EVENT_TYPES = ['message_in', 'message_out', 'sync_completed', 'write_applied', 'rewrite_applied', 'classes_merged', 'compaction', 'error'] as const;

async function loadTopology(banner: BannerView): Promise<Topology> {
  for (;;) {
    try {
      return await topology();
    } catch (err) {
      banner.error(err instanceof Error ? err.message : String(err));
      byId('topology').replaceChildren(stateLine('The app did not answer /api/topology; retrying…', true));
      await new Promise((r) => setTimeout(r, TOPOLOGY_RETRY_MS));
    }
  }
}

async function main(): Promise<void> {
  const banner = new BannerView();
  const net = await loadTopology(banner);
  const log = new EventLog();
  const inspector = new InspectorView(() => addedTerms(log.all()));
  const detail = new DetailView(log);
  const selectAgent = (agent: number): void => {
    topologyView.select(agent);
    void inspector.show(agent);
  };
  const topologyView = new TopologyView(selectAgent);
  topologyView.render(net);
  const timeline = new TimelineView(log, net.agent_count, (e) => detail.show(e), selectAgent);
  const charts = new ChartsView();

  const agentFilter = byId<HTMLSelectElement>('filter-agent');
  for (const a of net.agents) agentFilter.append(new Option(`agent ${a.id} (${a.colour})`, String(a.id)));
  const typeFilter = byId<HTMLSelectElement>('filter-type');
  for (const t of EVENT_TYPES) typeFilter.append(new Option(t, t));
  const onFilter = (): void =>
    timeline.setFilter({
      agent: agentFilter.value === '' ? null : Number(agentFilter.value),
      type: typeFilter.value === '' ? null : (typeFilter.value as (typeof EVENT_TYPES)[number]),
    });
  agentFilter.addEventListener('change', onFilter);
  typeFilter.addEventListener('change', onFilter);
  wireExport(log, () => timeline.filter);

  log.onAdd((added) => topologyView.traffic(added));
  const mode = byId('mode');
  startLive({
    log,
    natsWsUrl: net.live.nats_ws_url,
    natsCredentials: net.live.nats_credentials,
    subjects: { timeline: net.live.timeline_subject, status: net.live.status_subject },
    onStatus: (s) => {
      mode.dataset.mode = s.mode;
      mode.textContent = s.text;
    },
    // the gateway's view of liveness, live; /api/metrics gives the app's view on every poll
    onNetworkStatus: (status) => {
      for (const a of status.agents) topologyView.setStatus(a.id, a.status);
    },
  });

  const pollMetrics = async (): Promise<void> => {
    try {
      const m = await metrics();
      banner.show(m);
      charts.add(m);
      for (const a of m.performance.per_agent) topologyView.setStatus(a.agent, a.status);
    } catch (err) {
      banner.error(err instanceof Error ? err.message : String(err));
    }
    setTimeout(() => void pollMetrics(), METRICS_INTERVAL_MS);
  };
  void pollMetrics();
}

void main();
