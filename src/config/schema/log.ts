export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The log level (SIGHUP applies a new one without a restart). */
export const logSchema = {
  level: {
    doc: 'Log level.',
    format: LOG_LEVELS,
    default: 'info',
    env: 'LOG_LEVEL',
  },
};

export interface LogConfig {
  readonly level: LogLevel;
}
