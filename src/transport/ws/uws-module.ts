import { createRequire } from 'node:module';
import type * as Uws from '@trufflesuite/uws-js-unofficial';

export type UwsModule = typeof Uws;

/** The package that carries uWebSockets.js's native binary (an optional dependency; see docs/operations.md). */
export const UWS_PACKAGE = '@trufflesuite/uws-js-unofficial';

/** uWebSockets.js could not be loaded: the message says why and what to do, for a start-up error without a stack. */
export class UwsUnavailableError extends Error {
  override readonly name = 'UwsUnavailableError';
}

/**
 * The native binary itself, not the package's entry: where the package has no binary for this
 * platform and Node ABI, its entry silently falls back to a JavaScript re-implementation on ws,
 * which would be a slower ws engine under uWS's name. Loading the `.node` file fails loudly
 * instead. Called only when `transport.engine` is `uws`, so a ws deployment never loads it
 * (and may install without optional dependencies).
 */
export function loadUws(binaryName = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`): UwsModule {
  const binary = `${UWS_PACKAGE}/binaries/${binaryName}`;
  try {
    return createRequire(import.meta.url)(binary) as UwsModule;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UwsUnavailableError(
      `transport.engine is "uws" (WS_ENGINE), but uWebSockets.js cannot be loaded on ${process.platform}-${process.arch}, ` +
        `Node ABI ${process.versions.modules}: ${reason}. Install the optional dependency ${UWS_PACKAGE} ` +
        '(npm ci without --omit=optional) on a platform it ships a binary for, or set WS_ENGINE=ws.',
    );
  }
}
