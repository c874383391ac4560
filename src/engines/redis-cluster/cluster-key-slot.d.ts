// The package ioredis itself uses to route keys (CRC16 of the hash tag, mod 16384); it ships no types.
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
