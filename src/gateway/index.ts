// The gateway's public door: start it, configure it, read what it reports.
export { startGateway, GATEWAY_QUEUE_GROUP, type Gateway, type GatewayOptions, type GatewayStats, type FaultInjection } from './gateway.ts';
export { startHttpServer, LIVENESS_PATH, READINESS_PATH, PUBLISH_PATH, type HttpServer } from './http-server.ts';
export { loadConfig, ConfigError, DEFAULT_CONFIG, type GatewayConfig } from './config.ts';
export type { Delivery, DeliveryKind, DeliveryStats, MessageHandler, SubscribeOptions } from './delivery.ts';
export type { PublishedEnvelope } from './publish-log.ts';
export type { SpawnedNatsServer, ConnectOptions } from './connect.ts';
export type { AgentLiveness, NetworkStatus } from './liveness.ts';
export type { QueueCounters } from './agent-queue.ts';
export type { BroadcastHeartbeat } from './clock.ts';
export { createLogger, type Logger, type LogLevel } from '../shared/log.ts';
export { findNatsServer, freePort, startNatsServer, NATS_READY_TIMEOUT_MS, type NatsServer, type NatsServerOptions } from './nats-server.ts';
export { natsServers, redactNatsUrl, type NatsServers } from './nats-url.ts';
export { natsConfig, DASHBOARD_NATS_USER, DASHBOARD_SUBJECTS, GATEWAY_NATS_USER, GATEWAY_PERMISSIONS, type NatsAuthConfig, type NatsClusterConfig, type NatsConfigOptions, type NatsLeafConfig } from './nats-config.ts';
export { ensureTimelineStream, TIMELINE_MAX_AGE_MS, TIMELINE_MAX_BYTES, TIMELINE_STREAM, type TimelineStreamLimits } from './timeline-stream.ts';
