/** SQLSTATE classes and socket errors that mean "PostgreSQL cannot take this write now". */
export function postgresUnavailableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    if (code.startsWith('08')) return `connection to PostgreSQL failed (${code}: ${message})`;
    if (code === '53100') return `PostgreSQL's disk is full (${code}: ${message})`;
    if (code.startsWith('53')) return `PostgreSQL is out of resources (${code}: ${message})`;
    if (code.startsWith('57P')) return `PostgreSQL is shutting down or restarting (${code}: ${message})`;
    if (code === '25006') return `PostgreSQL is read-only (${code}: ${message})`;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) {
      return `cannot reach PostgreSQL (${code}: ${message})`;
    }
  }
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(message)) {
    return `connection to PostgreSQL lost (${message})`;
  }
  return undefined;
}
