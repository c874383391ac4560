import convict from 'convict';

/** Pings every 10 ms at the most often; 0 turns them off. */
convict.addFormat({
  name: 'heartbeat-interval',
  validate(value: unknown) {
    if (!(typeof value === 'number' && Number.isSafeInteger(value) && (value === 0 || (value >= 10 && value <= 3_600_000)))) {
      throw new Error('must be 0 (off) or a whole number of milliseconds from 10 to 3600000');
    }
  },
  coerce: (value: unknown) => Number(value),
});

/** Protocol pings, which find peers that went away without a close. */
export const heartbeatSchema = {
  intervalMs: {
    doc: 'Milliseconds between protocol pings (0, or 10-3600000); a peer that has not answered by the next one is terminated. 0 turns pings off.',
    format: 'heartbeat-interval',
    default: 30_000,
    env: 'WS_HEARTBEAT_INTERVAL_MS',
  },
};

export interface HeartbeatConfig {
  readonly intervalMs: number;
}
