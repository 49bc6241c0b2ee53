import { expect } from '@open-wc/testing';
import { DEFAULTS, HeartbeatConnection, type HeartbeatOptions } from '../../src/core/index.js';
import { ofType, useMockConnection } from '../helpers/connection.js';

// One validation table (src/core/options.ts): invalid values give an `error` naming the option
// and fall back to the default, so bad input never leaves a setting that could spin.
describe('options (core)', () => {
  const h = useMockConnection();

  for (const [name, value] of [
    ['interval', -1],
    ['timeout', NaN],
    ['reconnectDelay', 'soon'],
    ['connectTimeout', Infinity],
    ['maxRetries', 1.5],
    ['queueLimit', -3],
    ['format', 'xml'],
  ] as const) {
    it(`${name} = ${String(value)}: error event, default used`, async () => {
      const { connection, log } = h.create({ [name]: value } as HeartbeatOptions);
      await Promise.resolve();
      expect(log.map((e) => e.detail.code)).to.deep.equal(['invalid-option']);
      expect(log[0]!.detail.message).to.contain(name);
      const defaults: Record<string, unknown> = { interval: 25_000, timeout: 10_000, reconnectDelay: 1000, connectTimeout: 10_000, maxRetries: Infinity, queueLimit: 1000, format: 'text' };
      expect(connection.options[name]).to.equal(defaults[name]);
    });
  }

  const invalid: Record<string, unknown[]> = {
    interval: [-1, NaN, Infinity, 'often', true, {}],
    timeout: [-5, NaN, 'x'],
    reconnectDelay: [0, -1, NaN, 'soon'],
    reconnectMaxDelay: [0, -1, Infinity, 'never'],
    maxRetries: [-1, 1.5, NaN, 'many'],
    connectTimeout: [-1, Infinity, 'slow'],
    queueLimit: [-3, 2.5, 'lots'],
    healthyAfter: [-1, NaN],
    format: ['xml', 1],
    binaryType: ['nodebuffer', 0],
    urlProvider: ['ws://x', 1],
    fatalCloseCodes: ['1000', '1006', [5000], 'x'],
    refreshCloseCodes: [4401.5, '1015'],
    retryLaterCloseCodes: [{}, '999'],
  };
  for (const [name, values] of Object.entries(invalid) as Array<[keyof typeof DEFAULTS, unknown[]]>) {
    it(`${name}: ${values.map((v) => JSON.stringify(v) ?? String(v)).join(', ')} → error and the default, at construction and in configure()`, async () => {
      for (const value of values) {
        const { connection, log } = h.create({ [name]: value } as HeartbeatOptions);
        await Promise.resolve();
        expect(ofType(log, 'error').map((e) => e.detail.code), `${String(value)}`).to.deep.equal(['invalid-option']);
        expect(ofType(log, 'error')[0]!.detail.message).to.contain(name);
        expect(ofType(log, 'error')[0]!.detail.data).to.deep.equal(value);
        expect(connection.options[name]).to.deep.equal(DEFAULTS[name]);
        connection.configure({ [name]: value } as HeartbeatOptions);
        expect(ofType(log, 'error')).to.have.length(2);
        expect(connection.options[name]).to.deep.equal(DEFAULTS[name]);
        connection.close();
      }
    });
  }

  it('numeric text is a number (a framework passing attribute text as a property); null and undefined mean the default', () => {
    const connection = new HeartbeatConnection({ interval: '500' as unknown as number, reconnectMaxDelay: ' 20 ' as unknown as number, timeout: null, maxRetries: undefined });
    expect(connection.options).to.include({ interval: 500, reconnectMaxDelay: 20, timeout: DEFAULTS.timeout, maxRetries: Infinity });
  });

  it('valid values are kept as given', () => {
    const given = { interval: 1, timeout: 0, reconnectDelay: 0.5, reconnectMaxDelay: 20, maxRetries: 0, connectTimeout: 0, queueLimit: 0, healthyAfter: 0 };
    const connection = new HeartbeatConnection(given);
    expect(connection.options).to.include(given);
  });
});
