import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * src/main.ts as `npm start` runs it (through tsx), in a process of its own, with `env` over a
 * production base on port 0 of 127.0.0.1 (info logs): resolves once it listens, with its port.
 * The caller kills it (SIGKILL is what the fault tests are for).
 */
export async function startMainProcess(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const found = /"port":(\d+).*"msg":"barcast listening"/.exec(buffered)?.[1];
      if (found) resolve(Number(found));
    });
    child.once('exit', (code) => reject(new Error(`src/main.ts exited with ${code} before listening: ${buffered}`)));
  });
  return { child, port };
}
