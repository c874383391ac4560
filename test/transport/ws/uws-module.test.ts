import { describe, expect, it } from 'vitest';
import { loadUws, UwsUnavailableError } from '../../../src/transport/ws/uws-module.js';

describe('loading uWebSockets.js', () => {
  it('loads the native binary of this platform and Node ABI, not the package’s JavaScript fallback', () => {
    const uws = loadUws();
    expect(typeof uws.App).toBe('function');
    expect(typeof uws.us_listen_socket_close).toBe('function');
  });

  it('fails with an error that names the setting, the platform and the way out when no binary fits', () => {
    const load = (): unknown => loadUws('uws_plan9_mips_1.node');
    expect(load).toThrow(UwsUnavailableError);
    expect(load).toThrow(/transport\.engine is "uws" \(WS_ENGINE\), but uWebSockets\.js cannot be loaded on .*Install the optional dependency @trufflesuite\/uws-js-unofficial.*or set WS_ENGINE=ws/);
  });
});
