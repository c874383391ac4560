import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { stopChild } from './redis-server.js';

/** How HAProxy passes the client on to barcast. */
export type HaproxyMode =
  /** TCP, with a PROXY v1 line first (`send-proxy`). */
  | 'proxy-v1'
  /** TCP, with a PROXY v2 header first (`send-proxy-v2`, what AWS NLB sends too). */
  | 'proxy-v2'
  /** HTTP, adding X-Forwarded-For (`option forwardfor`); WebSocket upgrades pass through. */
  | 'forwardfor';

export interface Haproxy {
  /** The port on 127.0.0.1 each mode listens on. */
  readonly ports: Readonly<Record<HaproxyMode, number>>;
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  /** Most connections HAProxy holds at once (each takes two descriptors: client and server side). */
  readonly maxconn?: number;
}

const READY_TIMEOUT_MS = 5_000;

/**
 * A real `haproxy` (Debian package `haproxy`) in the foreground, in front of
 * 127.0.0.1:`backendPort`, with one frontend per mode on free ports. HAProxy connects to
 * barcast from 127.0.0.1: trust that (TRUSTED_PROXIES) and connect clients from another
 * loopback address (127.0.0.2, ...) to tell the two apart. Pair with `stop()`.
 */
export async function startHaproxy(backendPort: number, options: HaproxyOptions = {}): Promise<Haproxy> {
  const ports = { 'proxy-v1': await freePort(), 'proxy-v2': await freePort(), forwardfor: await freePort() };
  const directory = mkdtempSync(join(tmpdir(), 'barcast-haproxy-'));
  const configFile = join(directory, 'haproxy.cfg');
  const maxconn = options.maxconn ?? 4_096;
  writeFileSync(
    configFile,
    [
      'global',
      `  maxconn ${maxconn}`,
      'defaults',
      '  timeout connect 5s',
      '  timeout client 120s',
      '  timeout server 120s',
      '  timeout tunnel 1h',
      `  maxconn ${maxconn}`,
      frontend('v1', 'tcp', ports['proxy-v1'], backendPort, 'send-proxy'),
      frontend('v2', 'tcp', ports['proxy-v2'], backendPort, 'send-proxy-v2'),
      frontend('xff', 'http', ports.forwardfor, backendPort, ''),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start haproxy (is it installed? Debian package haproxy): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`haproxy exited with code ${code}: ${stderr.trim()}`)));
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([Promise.all(Object.values(ports).map(listening)), failed]);
  } catch (error) {
    await stopChild(child);
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    stop: async () => {
      await stopHaproxy(child);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function frontend(name: string, mode: 'tcp' | 'http', port: number, backendPort: number, serverOption: string): string {
  return [
    `frontend fe_${name}`,
    `  mode ${mode}`,
    `  bind 127.0.0.1:${port}`,
    ...(mode === 'http' ? ['  option forwardfor', '  option http-server-close'] : []),
    `  default_backend be_${name}`,
    `backend be_${name}`,
    `  mode ${mode}`,
    `  server barcast 127.0.0.1:${backendPort} ${serverOption}`.trimEnd(),
  ].join('\n');
}

/** SIGTERM is HAProxy's hard stop: every connection is cut at once, as a crashed balancer would. */
function stopHaproxy(child: ChildProcess): Promise<void> {
  return stopChild(child, 'SIGTERM');
}

async function listening(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
