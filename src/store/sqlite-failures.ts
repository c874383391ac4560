/**
 * The SQLite failures that mean "this database cannot take writes now" (as opposed to a bug
 * in a statement): they make the store unhealthy until a write succeeds again.
 */
export function sqliteUnwritableReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_FULL') return `disk full (${code}: ${message})`;
  if (code.startsWith('SQLITE_IOERR')) return `I/O error (${code}: ${message})`;
  if (code.startsWith('SQLITE_READONLY')) return `database is read-only (${code}: ${message})`;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) return `database is locked by another process (${code}: ${message})`;
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_')) return `cannot open the database file (${code}: ${message})`;
  return undefined;
}
