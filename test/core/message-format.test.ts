import { expect } from '@open-wc/testing';
import { decodeInbound, encodeOutbound, isSocketData, UnsendableValue } from '../../src/core/index.js';
import { useMockConnection } from '../helpers/connection.js';

describe('message format (the module)', () => {
  const binary = [new ArrayBuffer(2), new Uint8Array(2), new DataView(new ArrayBuffer(1)), new Blob(['x'])];

  for (const format of ['text', 'json'] as const) {
    it(`${format}: strings and binary data are sent as they are`, () => {
      expect(encodeOutbound(format, 'hi')).to.equal('hi');
      expect(encodeOutbound(format, '{"a":1}')).to.equal('{"a":1}');
      for (const data of binary) expect(encodeOutbound(format, data)).to.equal(data);
    });
    it(`${format}: binary inbound data is never parsed`, () => {
      for (const data of binary) expect(decodeInbound(format, data)).to.equal(data);
    });
  }

  for (const value of [{ a: 1 }, [1, 'two'], 3, true, null]) {
    it(`json: ${JSON.stringify(value)} is stringified; text refuses it`, () => {
      expect(encodeOutbound('json', value)).to.equal(JSON.stringify(value));
      const refused = encodeOutbound('text', value);
      expect(refused).to.be.instanceOf(UnsendableValue);
      expect((refused as UnsendableValue).message).to.contain('format="json"');
    });
  }

  it('json: what JSON cannot express is refused with a reason, never thrown', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, undefined, () => 1, Symbol('s'), 10n]) {
      let result: unknown;
      expect(() => (result = encodeOutbound('json', value))).not.to.throw();
      expect(result).to.be.instanceOf(UnsendableValue);
    }
  });

  it('json: inbound text is parsed; bad JSON throws a SyntaxError for the caller to report', () => {
    expect(decodeInbound('json', '{"a":[1]}')).to.deep.equal({ a: [1] });
    expect(decodeInbound('text', '{"a":[1]}')).to.equal('{"a":[1]}');
    expect(() => decodeInbound('json', '{nope')).to.throw(SyntaxError);
  });

  it('isSocketData', () => {
    for (const data of ['', ...binary]) expect(isSocketData(data)).to.equal(true);
    for (const data of [1, null, undefined, {}, []]) expect(isSocketData(data)).to.equal(false);
  });
});

describe('HeartbeatConnection: json format (core, mock-socket, fake timers)', () => {
  const h = useMockConnection();

  describe('json format', () => {
    it('stringifies outbound values and parses inbound text', async () => {
      const { connection, log } = await h.openConnection({ format: 'json' });
      expect(connection.send({ hello: [1, 2] })).to.equal(true);
      expect(connection.send('raw text')).to.equal(true);
      h.server.clients()[0]!.send('{"n":42}');
      await h.clock.tickAsync(10);
      expect(h.received).to.deep.equal(['{"hello":[1,2]}', 'raw text']);
      expect(log.find((e) => e.type === 'message')!.detail).to.deep.equal({ data: { n: 42 } });
    });

    it('bad JSON gives an error event and the connection stays up', async () => {
      const { connection, log } = await h.openConnection({ format: 'json' });
      h.server.clients()[0]!.send('{nope');
      h.server.clients()[0]!.send('[1]');
      await h.clock.tickAsync(10);
      const error = log.find((e) => e.type === 'error')!;
      expect(error.detail.code).to.equal('invalid-json');
      expect(error.detail.data).to.equal('{nope');
      expect(log.filter((e) => e.type === 'message').map((e) => e.detail.data)).to.deep.equal([[1]]);
      expect(connection.status).to.equal('open');
    });

    it('refuses values JSON cannot express', async () => {
      const { connection, log } = await h.openConnection({ format: 'json' });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(connection.send(circular)).to.equal(false);
      expect(connection.send(() => 1)).to.equal(false);
      expect(connection.send(10n)).to.equal(false);
      expect(log.filter((e) => e.type === 'error').map((e) => e.detail.code)).to.deep.equal(['invalid-data', 'invalid-data', 'invalid-data']);
      expect(h.received).to.deep.equal([]);
    });

    it('the pong is consumed before parsing', async () => {
      const { log } = await h.openConnection({ format: 'json' });
      h.server.clients()[0]!.send('pong');
      await h.clock.tickAsync(10);
      expect(log.filter((e) => e.type === 'error' || e.type === 'message')).to.deep.equal([]);
    });
  });
});
