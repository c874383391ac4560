import { afterEach, describe, expect, it } from 'vitest';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

describe('page routes', () => {
  it('serves the chart page under a CSP that allows only same-origin scripts, without upgrading to https', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('<script type="module" src="/chart.js">');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('serves lightweight-charts from the installed package', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(await response.text()).toContain('createChart');
  });

  it('still answers unknown paths with a JSON 404', async () => {
    const { httpUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/nope.txt`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 'error', code: 'NOT_FOUND' });
  });
});
