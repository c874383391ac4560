import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isType, TestClient } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs src/main.ts (or a fixture that imports it) as `npm start` would (through tsx, so no build step), on a free port. */
function startProcess(env: Record<string, string> = {}, entry = 'src/main.ts'): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

/** Resolves with the port from the "barcast listening" log line. */
function listeningPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const port = /"port":(\d+).*"msg":"barcast listening"/.exec(buffered)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${buffered}`)));
  });
}

/** Resolves when the child logs a line with this `msg` (listen before causing it). */
function logged(child: ChildProcessWithoutNullStreams, msg: string): Promise<void> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (!chunk.toString().includes(`"msg":"${msg}"`)) return;
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
  });
}

describe('the process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s closes clients with 1001 and exits 0 by itself, within 5 s', async (signal) => {
    const child = startProcess();
    const exited = exitOf(child);
    const port = await listeningPort(child);
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/api/v1/ws`);
    client.subscribeBars('AAPL');
    await client.waitFor(isType('bars.subscribe.response'));

    const signalledAt = Date.now();
    child.kill(signal);
    expect((await client.closed).code).toBe(1001);
    const { code, stdout } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['barcast listening', 'shutting down', 'barcast stopped']));
  });

  it('refuses to start on an invalid setting, naming the variable', async () => {
    const { code, stderr } = await exitOf(startProcess({ BAR_BROADCASTER_INTERVAL: '-1' }));
    expect(code).toBe(1);
    expect(stderr).toMatch(/BAR_BROADCASTER_INTERVAL.*must be a number of seconds from 0.001 to 3600/);
  });

  it('serves the WebSocket on UWS_PORT with WS_ENGINE=uws, logs that port, and closes clients with 1001 on SIGTERM', async () => {
    const child = startProcess({ WS_ENGINE: 'uws', UWS_PORT: '0' });
    const exited = exitOf(child);
    const lines: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    await listeningPort(child);
    const wsPort = Number(/"wsPort":(\d+)/.exec(lines.join(''))?.[1]);
    const client = await TestClient.connect(`ws://127.0.0.1:${wsPort}/api/v1/ws`);
    client.subscribeBars('AAPL');
    await client.waitFor(isType('bars.subscribe.response'));
    child.kill('SIGTERM');
    expect((await client.closed).code).toBe(1001);
    expect((await exited).code).toBe(0);
  });

  it('refuses to start with WS_ENGINE=uws on a UWS_PORT in use, in one line and without a stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const { code, stderr } = await exitOf(startProcess({ WS_ENGINE: 'uws', UWS_PORT: String(port) }));
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(`barcast: cannot start: uWebSockets.js cannot listen on 127.0.0.1:${port} (transport.uwsPort, UWS_PORT): is the port in use?`);
    } finally {
      taken.close();
    }
  });

  it.each([
    ['uncaught exception', 'exception'],
    ['unhandled rejection', 'rejection'],
  ] as const)('logs an %s as fatal and exits non-zero instead of serving on', async (message, mode) => {
    const { code, stdout } = await exitOf(startProcess({ LOG_LEVEL: 'fatal', CRASH_MODE: mode }, 'test/fixtures/crash-after-start.ts'));
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    expect(lines).toEqual([expect.objectContaining({ level: 60, msg: message, err: expect.objectContaining({ message: expect.stringContaining('deliberate') }) })]);
  });
});

describe('SIGHUP', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  it('reloads the token file: a removed token is refused at once and its connections closed with 4003, everyone else stays', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barcast-hup-'));
    const tokenFile = join(dir, 'tokens');
    await writeFile(tokenFile, 'kept-token\nremoved-token\n');
    const child = startProcess({ AUTH_TOKEN_FILE: tokenFile });
    const exited = exitOf(child);
    const port = await listeningPort(child);
    const url = `ws://127.0.0.1:${port}/api/v1/ws`;
    const kept = await TestClient.connect(`${url}?token=kept-token`);
    const removed = await TestClient.connect(`${url}?token=removed-token`);
    kept.subscribeBars('AAPL');
    await kept.waitFor(isType('bars.subscribe.response'));
    await expect(TestClient.connect(`${url}?token=new-token`)).rejects.toThrow(/HTTP 401/);

    await writeFile(tokenFile, '# rotated\nkept-token\nnew-token\n');
    child.kill('SIGHUP');
    expect(await removed.closed).toEqual({ code: 4003, reason: 'token revoked' });
    await expect(TestClient.connect(`${url}?token=removed-token`)).rejects.toThrow(/HTTP 401/);
    await (await TestClient.connect(`${url}?token=new-token`)).close();
    const from = kept.messages.length;
    kept.send({ type: 'ping' });
    await kept.waitFor(isType('pong'), { from });
    expect(kept.socket.readyState).toBe(kept.socket.OPEN);

    // A file that no longer loads is logged, and the running tokens stay.
    await writeFile(tokenFile, '\n');
    const failed = logged(child, 'reload failed; the running configuration stays');
    child.kill('SIGHUP');
    await failed;
    await (await TestClient.connect(`${url}?token=new-token`)).close();
    child.kill('SIGTERM');
    expect((await kept.closed).code).toBe(1001);
    const { code, stdout } = await exited;
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'configuration reloaded', staticTokens: 2, revoked: 1, logLevel: 'info' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'reload failed; the running configuration stays' }));
    expect(stdout).not.toMatch(/kept-token|removed-token|new-token/);
  });
});
