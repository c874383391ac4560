export declare const CLIENT_ENTRY: string;
export declare const CLIENT_BUNDLE: string;
/** Writes dist/browser/barcast-client.js (and its source map); resolves with its path. */
export declare function bundleClient(): Promise<string>;
