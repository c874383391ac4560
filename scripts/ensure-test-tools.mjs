#!/usr/bin/env node
// `npm test`'s pretest step: the tests run real servers and a real browser (redis-server,
// Chromium, Prometheus and promtool, PostgreSQL, HAProxy), which npm cannot install. Whatever is missing is
// installed with apt-get when this runs as root (CI, a container), non-interactively;
// otherwise this stops at once with the exact command to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the tests run, and the Debian package each comes in. */
const TOOLS = [
  { tool: 'redis-server', packageName: 'redis-server' },
  { tool: 'redis-cli', packageName: 'redis-tools' },
  { tool: '/usr/bin/chromium', packageName: 'chromium' },
  { tool: 'prometheus', packageName: 'prometheus' },
  { tool: 'promtool', packageName: 'prometheus' },
  // Debian keeps the server binaries under the major version: any installed one will do.
  { tool: '/usr/lib/postgresql/*/bin/initdb', packageName: 'postgresql' },
  // A real balancer in front of barcast (PROXY protocol v1/v2, X-Forwarded-For): test/support/haproxy.ts.
  { tool: 'haproxy', packageName: 'haproxy' },
];
// prometheus recommends prometheus-node-exporter, a second daemon the tests do not need;
// postgresql recommends sysstat. The tests start their own postgres (test/support/postgres-server.ts).
const WITHOUT_RECOMMENDS = new Set(['prometheus', 'postgresql']);

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A fixed path, where one segment may be `*` (any entry of that folder). */
function pathExists(path) {
  const star = path.indexOf('/*/');
  if (star < 0) return isExecutable(path);
  const parent = path.slice(0, star);
  let entries;
  try {
    entries = readdirSync(parent);
  } catch {
    return false;
  }
  return entries.some((entry) => pathExists(`${parent}/${entry}${path.slice(star + 2)}`));
}

function found(tool) {
  if (tool.startsWith('/')) return pathExists(tool);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutable(join(dir, tool)));
}

const missing = TOOLS.filter(({ tool }) => !found(tool));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map(({ packageName }) => packageName))];
const plain = packages.filter((name) => !WITHOUT_RECOMMENDS.has(name));
const lean = packages.filter((name) => WITHOUT_RECOMMENDS.has(name));
const installs = [
  ...(plain.length > 0 ? [['install', '-y', ...plain]] : []),
  ...(lean.length > 0 ? [['install', '-y', '--no-install-recommends', ...lean]] : []),
];
const tools = missing.map(({ tool }) => tool).join(', ');
const commandLine = (sudo) =>
  [['update'], ...installs].map((args) => `${sudo}DEBIAN_FRONTEND=noninteractive apt-get ${args.join(' ')}`).join(' && ');

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !found('apt-get')) {
  process.stderr.write(
    `npm test needs ${tools} (Debian packages ${packages.join(', ')}), which npm cannot install.\n` +
      (found('apt-get')
        ? `Install them with:\n\n  ${commandLine('sudo ')}\n\nthen run npm test again.\n`
        : 'This machine has no apt-get: install them with its package manager, then run npm test again.\n'),
  );
  process.exit(1);
}

process.stderr.write(`npm test needs ${tools}: installing ${packages.join(', ')} with apt-get\n`);
for (const args of [['update'], ...installs]) {
  // stdin closed and DEBIAN_FRONTEND=noninteractive: apt must never stop to ask.
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    process.stderr.write(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal}); run it by hand:\n\n  ${commandLine('')}\n`);
    process.exit(1);
  }
}
const stillMissing = TOOLS.filter(({ tool }) => !found(tool));
if (stillMissing.length > 0) {
  process.stderr.write(`still missing after apt-get: ${stillMissing.map(({ tool }) => tool).join(', ')}\n`);
  process.exit(1);
}
