import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./burst-process.ts', import.meta.url));

/**
 * Opens `count` WebSockets to `url` at once from a child process (burst-process.ts) and
 * resolves with how many ended in each outcome: `{ open: 1000 }` when all got in.
 */
export function burstFromChild(url: string, count: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, url, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`burst process exited with ${code}`));
      else resolve(JSON.parse(out) as Record<string, number>);
    });
  });
}
