/** One seed node of a Redis Cluster. */
export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses REDIS_CLUSTER_NODES, `host:port,host:port,...` (IPv6 hosts in brackets); an empty
 * list is no cluster. Throws a readable error on anything else, which convict reports.
 */
export function parseClusterNodes(list: string): ClusterNodeAddress[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return entries.map((entry) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) throw new Error(`"${entry}" is not host:port (a port from 1 to 65535)`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
}
