import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../../src/domain/cluster-nodes.js';

describe('parseClusterNodes', () => {
  it('reads host:port pairs separated by commas, with spaces and IPv6 hosts in brackets', () => {
    expect(parseClusterNodes(' 10.0.0.1:7000, redis-2.internal:7001 ,[::1]:7002,')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it('reads an empty list as no cluster', () => {
    expect(parseClusterNodes('')).toEqual([]);
    expect(parseClusterNodes(' , ')).toEqual([]);
  });

  it.each(['10.0.0.1', '10.0.0.1:', ':7000', '10.0.0.1:0', '10.0.0.1:65536', '10.0.0.1:70a', 'redis://10.0.0.1:7000', '::1:7000', 'a b:7000'])(
    'refuses %j, naming the entry',
    (entry) => {
      expect(() => parseClusterNodes(`127.0.0.1:7000,${entry}`)).toThrow(`"${entry}" is not host:port`);
    },
  );
});
