import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RESOLUTIONS } from '../../src/domain/resolution.js';
import { parseBarsPayload } from '../../src/streams/bars-payload.js';

const document = JSON.parse(readFileSync(new URL('../../api/asyncapi.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ strict: false });
ajv.addSchema(document, 'asyncapi');
const resolutionSchema = ajv.getSchema('asyncapi#/components/schemas/Resolution');
const nameSchema = ajv.getSchema('asyncapi#/components/schemas/ResolutionName');
const everything = { symbols: ['AAPL'], resolutions: [...RESOLUTIONS] };

const CANDIDATES: unknown[] = [
  ...RESOLUTIONS,
  ...RESOLUTIONS.map((resolution) => resolution.toLowerCase()),
  'D', 'W', 'M', 'd', 'w', 'm', ' 1 ', '\t60\n', ' 1D', '240  ',
  1, 5, 15, 30, 60, 240,
  0, 2, -1, 1.5, 1e21, 3600, '2', '1H', '1Y', '12M', 'DD', '', ' ', '1D1', '01', '        1', 'x'.repeat(9), null, true, [], {},
];

describe('the AsyncAPI Resolution schema', () => {
  it('accepts exactly what the server accepts', () => {
    if (!resolutionSchema) throw new Error('no Resolution schema');
    for (const resolution of CANDIDATES) {
      const parsed = parseBarsPayload({ symbol: 'AAPL', params: { resolution } }, everything);
      expect({ resolution, accepted: resolutionSchema(resolution) }).toEqual({ resolution, accepted: parsed.ok });
    }
  });

  it('names the normalised spellings the server answers with', () => {
    if (!nameSchema) throw new Error('no ResolutionName schema');
    for (const resolution of RESOLUTIONS) expect(nameSchema(resolution)).toBe(true);
    for (const spelling of ['D', '1d', 1, ' 1']) expect(nameSchema(spelling)).toBe(false);
  });
});
