// The app's typed HTTP client (app-client.ts).
export { ApiError, AppClient, type AppClientOptions, type TimelineQuery } from './app-client.ts';
