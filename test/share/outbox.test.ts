import { expect } from '@open-wc/testing';
import { Outbox, SendSequencer } from '../../src/share/outbox.js';

// The send path of share="tabs": a page's numbered sends and the holder's rule for writing them.

describe('Outbox (a page’s unacknowledged sends)', () => {
  it('numbers sends from 1, keeps them in order until acked, and drops everything up to an ack', () => {
    const outbox = new Outbox(10);
    for (const data of ['a', 'b', 'c', 'd']) outbox.push(1, data);
    expect(outbox.items.map((i) => [i.seq, i.payload])).to.deep.equal([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]);
    outbox.ack(2);
    expect(outbox.items.map((i) => i.seq)).to.deep.equal([3, 4]);
    expect(outbox.first).to.equal(3);
    outbox.ack(2); // a repeated ack changes nothing
    expect(outbox.size).to.equal(2);
    outbox.ack(4);
    expect(outbox.size).to.equal(0);
    expect(outbox.first).to.equal(5); // the next send's number
  });

  for (const limit of [0, 1, 3]) {
    it(`is bounded (limit ${limit}): a push beyond it is refused, never silently dropped`, () => {
      const outbox = new Outbox(limit);
      for (let i = 0; i < limit; i++) expect(outbox.push(1, i)).not.to.equal(undefined);
      expect(outbox.push(1, 'over')).to.equal(undefined);
      expect(outbox.size).to.equal(limit);
    });
  }

  it('clear() empties it and says how many there were; numbering goes on', () => {
    const outbox = new Outbox(10);
    outbox.push(1, 'a');
    outbox.push(2, 'b');
    expect(outbox.clear()).to.equal(2);
    expect(outbox.push(1, 'c')!.seq).to.equal(3);
  });
});

describe('SendSequencer (the holder writes each page’s sends once, in order)', () => {
  it('a holder that has not heard from a page starts where the page’s outbox starts', () => {
    const sequencer = new SendSequencer();
    expect(sequencer.judge('p', 7, 5)).to.equal('gap'); // 5 and 6 are still to come
    expect(sequencer.judge('p', 5, 5)).to.equal('take');
  });

  it('interleaved resends after a takeover: every send written once, in order', () => {
    // The page posted 1..3 to a holder that vanished, then 4 to the new one before hearing it
    // was open, then resent 1..4 on `open`: the new holder sees 4, 1, 2, 3, 4 (and a late 2).
    const sequencer = new SendSequencer();
    const written: number[] = [];
    const arrive = (seq: number, first: number) => {
      const verdict = sequencer.judge('p', seq, first);
      if (verdict === 'take') {
        written.push(seq);
        sequencer.taken('p', seq);
      }
      return verdict;
    };
    expect(arrive(4, 1)).to.equal('gap');
    expect([arrive(1, 1), arrive(2, 1), arrive(3, 1), arrive(4, 1)]).to.deep.equal(['take', 'take', 'take', 'take']);
    expect(arrive(2, 1)).to.equal('repeat');
    expect(written).to.deep.equal([1, 2, 3, 4]);
  });

  it('keeps senders apart, and forgets a page that left', () => {
    const sequencer = new SendSequencer();
    sequencer.taken('a', 3);
    expect(sequencer.judge('b', 1, 1)).to.equal('take');
    expect(sequencer.judge('a', 3, 1)).to.equal('repeat');
    expect(sequencer.judge('a', 4, 1)).to.equal('take');
    sequencer.forget('a');
    expect(sequencer.judge('a', 3, 3)).to.equal('take');
  });
});
