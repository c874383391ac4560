import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { stopChild } from './redis-server.js';

export interface PostgresServer {
  readonly port: number;
  /** A URL of a new, empty database on this server (each call creates one). */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data, after stop(). */
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  dispose(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const DEBIAN_POSTGRES = '/usr/lib/postgresql';

/** Debian's server binaries of the newest installed major version (package `postgresql`). */
export function postgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_POSTGRES)) return undefined;
  const versions = readdirSync(DEBIAN_POSTGRES)
    .filter((version) => existsSync(join(DEBIAN_POSTGRES, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(DEBIAN_POSTGRES, versions[0], 'bin');
}

/**
 * initdb and postgres refuse to run as root: as root (CI, a container) they run as the
 * `postgres` user the Debian package creates, or `nobody`, through spawn's uid/gid (no
 * runuser in between, so signals reach postgres itself).
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

/**
 * A real, throwaway PostgreSQL for one test file: initdb into a temporary folder, then
 * `postgres` on 127.0.0.1 and a free port, its unix socket in the same folder, trust auth,
 * fsync off (the tests kill and restart the process, never the machine). Pair with dispose().
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`cannot start PostgreSQL: no ${DEBIAN_POSTGRES}/*/bin/initdb (install the Debian package postgresql; npm test's pretest step does)`);
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'barcast-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir);
  if (user) {
    for (const path of [dir, socketDir]) chownSync(path, user.uid, user.gid);
  }
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '--encoding=UTF8', '--no-sync'], {
    encoding: 'utf8',
    ...(user ?? {}),
  });
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status ?? initdb.signal}): ${initdb.stderr || initdb.error?.message}`);

  const port = await freePort();
  const baseUrl = `postgres://postgres@127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const exited = new Promise<never>((_resolve, reject) => {
      child?.once('error', (error) => reject(new Error(`cannot start postgres: ${error.message}`)));
      child?.once('exit', (code) => reject(new Error(`postgres exited with code ${code} before accepting connections: ${stderr}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([acceptsConnections(`${baseUrl}/postgres`), exited]);
  };
  await start();
  let databases = 0;
  return {
    port,
    createDatabase: async () => {
      databases += 1;
      const name = `barcast_test_${databases}`;
      const client = new pg.Client({ connectionString: `${baseUrl}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${baseUrl}/${name}`;
    },
    // SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back, clients cut off.
    stop: async () => {
      if (child) await stopChild(child, 'SIGINT');
    },
    start,
    dispose: async () => {
      if (child) await stopChild(child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function acceptsConnections(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres at ${url} did not accept connections within ${READY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
