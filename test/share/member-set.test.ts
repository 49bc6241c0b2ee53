import { expect } from '@open-wc/testing';
import type { ConnectionStatus } from '../../src/core/index.js';
import { ForwardingTarget, MemberSet, type ShareMember } from '../../src/share/member-set.js';

// The fan-out of a sharing group in one document: statuses and events, generically by type.

function member() {
  const target = new EventTarget();
  const events: Array<{ type: string; detail: unknown; event: Event }> = [];
  for (const type of ['open', 'close', 'status-change', 'message', 'messages', 'error']) {
    target.addEventListener(type, (event) => events.push({ type, detail: (event as CustomEvent).detail, event }));
  }
  const shown: Array<[ConnectionStatus, ConnectionStatus]> = [];
  const value: ShareMember = { target, settings: () => ({}), reflect: (status, previous) => shown.push([status, previous]) };
  return { member: value, target, events, shown };
}

describe('MemberSet', () => {
  it('every member shows each status, with its own previous status', () => {
    const set = new MemberSet();
    const a = member();
    set.add(a.member);
    set.setStatus('connecting');
    const b = member();
    set.add(b.member); // joins while connecting: idle → connecting
    set.setStatus('open');
    expect(a.shown).to.deep.equal([['connecting', 'idle'], ['open', 'connecting']]);
    expect(b.shown).to.deep.equal([['connecting', 'idle'], ['open', 'connecting']]);
    expect(b.events.filter((e) => e.type === 'status-change').map((e) => e.detail)).to.deep.equal([
      { status: 'connecting', previous: 'idle' },
      { status: 'open', previous: 'connecting' },
    ]);
    set.setStatus('open'); // no change, no event
    expect(a.events.filter((e) => e.type === 'status-change').length).to.equal(2);
  });

  it('forwards any event type: the event itself to the first member, a copy with the same detail to the others', () => {
    const set = new MemberSet();
    const [a, b, c] = [member(), member(), member()];
    for (const m of [a, b, c]) set.add(m.member);
    const detail = { data: ['x', 'y'] };
    const original = new CustomEvent('messages', { detail });
    set.forward(original);
    expect(a.events.at(-1)!.event).to.equal(original);
    for (const m of [b, c]) {
      expect(m.events.at(-1)!.event).not.to.equal(original);
      expect(m.events.at(-1)!.type).to.equal('messages');
      expect(m.events.at(-1)!.detail).to.equal(detail);
    }
  });

  it('a member that leaves inside a listener: the dispatch goes on to the others, and it gets nothing more', () => {
    const set = new MemberSet();
    const [a, b, c] = [member(), member(), member()];
    const entries = [a, b, c].map((m) => set.add(m.member));
    set.setStatus('open');
    a.target.addEventListener('message', () => set.remove(entries[1]!, { code: 1000, reason: 'left' }), { once: true });
    set.forward(new CustomEvent('message', { detail: { data: 1 } }));
    expect(a.events.filter((e) => e.type === 'message').length).to.equal(1);
    expect(b.events.filter((e) => e.type === 'message').length).to.equal(0);
    expect(c.events.filter((e) => e.type === 'message').length).to.equal(1);
    set.forward(new CustomEvent('message', { detail: { data: 2 } }));
    expect(b.events.filter((e) => e.type === 'message').length).to.equal(0);
  });

  it('leaving: closed, with a close event only if it was connected; the ruler passes to the next member', () => {
    const set = new MemberSet();
    const [a, b] = [member(), member()];
    const [ea, eb] = [set.add(a.member), set.add(b.member)];
    expect(set.ruler).to.equal(ea);
    set.setStatus('open');
    set.remove(ea!, { code: 1000, reason: 'bye' });
    expect(a.shown.at(-1)).to.deep.equal(['closed', 'open']);
    expect(a.events.at(-1)!.type).to.equal('close');
    expect(a.events.at(-1)!.detail).to.deep.equal({ code: 1000, reason: 'bye', wasClean: true, willReconnect: false });
    expect(set.ruler).to.equal(eb);
    set.setStatus('reconnecting');
    set.remove(eb!, { code: 1000, reason: 'bye' });
    expect(b.events.at(-1)!.type).to.equal('status-change'); // not connected: no close
    expect(set.size).to.equal(0);
  });
});

describe('ForwardingTarget', () => {
  it('hands events to its function instead of dispatching them', () => {
    const got: Event[] = [];
    const target = new ForwardingTarget((event) => got.push(event));
    let heard = 0;
    target.addEventListener('x', () => heard++);
    expect(target.dispatchEvent(new Event('x'))).to.equal(true);
    expect(got.length).to.equal(1);
    expect(heard).to.equal(0);
  });
});
