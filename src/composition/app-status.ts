import type { AddressInfo } from 'node:net';

export type AppPhase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Where the app is in its life, and where WebSocket clients connect once started: written by
 * the lifecycle, read by the readiness check and the chart page, which are built before it.
 */
export class AppStatus {
  phase: AppPhase = 'created';
  wsAddress: AddressInfo | undefined;
}
