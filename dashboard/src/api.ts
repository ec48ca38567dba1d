// The dashboard speaks only the wire: the app's HTTP API, through the typed client (src/client),
// on the page's own origin with the read token when the page was given one (token.ts).
import { AppClient } from '../../src/client/index.ts';
import type { AgentStateAnswer, BestAnswer, EGraphAnswer } from '../../src/agent/index.ts';
import type { NetworkMetrics, TopologyAnswer } from '../../src/api/index.ts';
import type { Colour, TimelineEvent, TimelinePage } from '../../src/core/wire.ts';
import { appToken } from './token.ts';

export type { TimelineEvent, NetworkMetrics, Colour };

// The answers' types come from the code that builds them (import type: nothing of it is bundled).
export type Topology = TopologyAnswer;
export type AgentState = AgentStateAnswer;
export type EGraphSummary = EGraphAnswer;
export type Best = BestAnswer;

export const app = new AppClient({ url: '', token: appToken });

export const topology = (): Promise<Topology> => app.topology();
export const metrics = (): Promise<NetworkMetrics> => app.metrics();
export const timelinePage = (since: string | null, limit: number): Promise<TimelinePage> => app.timelinePage({ since, limit });
/** Every event the app still holds, oldest first (pages through the cursor). */
export const wholeTimeline = (): Promise<TimelineEvent[]> => app.wholeTimeline();
