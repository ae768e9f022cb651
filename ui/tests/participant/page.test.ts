// The participant page in happy-dom, against a fake WebSocket that plays the server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { start } from '../../participant/participant.js';
import type { ParticipantReply } from '../../src/lib/bindings/ParticipantReply';
import type { UnitChoice } from '../../src/lib/bindings/UnitChoice';
import type { Answer } from '../../src/lib/bindings/Answer';
import type { PhoneGame } from '../../src/lib/bindings/PhoneGame';
import type { PhoneCycle } from '../../src/lib/bindings/PhoneCycle';

const TOKEN = 'c0ffee'.repeat(10) + 'abcd';
const units: UnitChoice[] = [
  { id: 'households', name: 'Households', kind: 'external' },
  { id: 'customer-service', name: 'Customer Service', kind: 'frontline' },
  { id: 'finance', name: 'Finance', kind: 'support' },
  { id: 'it', name: 'IT', kind: 'support' },
];
const closed = { self_assessment: false, thanks: false };
const open = { self_assessment: true, thanks: false };

class FakeSocket {
  static all: FakeSocket[] = [];
  sent: Record<string, any>[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  closed = false;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  reply(m: ParticipantReply) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  last(type: string) {
    return [...this.sent].reverse().find((m) => m.type === type);
  }
}

const socket = () => FakeSocket.all[FakeSocket.all.length - 1];
const app = () => document.getElementById('app')!;
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const text = () => app().textContent ?? '';
const status = (id: string) => byId(id).textContent;

function type(id: string, value: string) {
  const el = byId<HTMLInputElement>(id);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
function choose(id: string, value: string) {
  const el = byId<HTMLSelectElement>(id);
  el.value = value;
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
function tick(id: string) {
  byId<HTMLInputElement>(id).click();
}
function welcome(rounds = open, answers: Answer[] = [], token?: string, manager = false): ParticipantReply {
  return {
    type: 'welcome',
    ...(token ? { token } : {}),
    workshop: 'Spring cohort',
    units,
    me: { participant: { id: 7, name: 'Ana', unit: 'finance', manager }, rounds, answers, game: null, cycle: null },
  };
}

let stop: () => void;
function boot(url: string) {
  history.replaceState(null, '', url);
  document.body.replaceChildren();
  const conn = document.createElement('p');
  const main = document.createElement('main');
  main.id = 'app';
  document.body.append(conn, main);
  stop = start(main, conn);
  return conn;
}

/** Joined, with the self-assessment open. */
function joined(url = '/?c=ABC234') {
  boot(url);
  socket().open();
  socket().reply({ type: 'room', workshop: 'Spring cohort', units, rounds: open, ref: '1' });
  socket().reply(welcome(open, [], TOKEN));
}

function answerCustomerService() {
  tick('cu-0'); // Customer Service (sorted by name, external left out)
  type('c0-n0', 'Payslips on the 25th');
  choose('c0-n0-c', 'time');
  tick('c0-w-sometimes');
  tick('c0-r-6');
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  localStorage.clear();
});
afterEach(() => {
  stop();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('joining', () => {
  it('looks up the QR link’s code, then joins with a name, a unit and the manager box', () => {
    boot('/?c=abc234');
    expect(socket().url).toBe(`ws://${location.host}/ws`);
    socket().open();
    expect(socket().sent).toEqual([{ type: 'lookup', code: 'ABC234', ref: '1' }]); // asked before the socket opened, sent when it did
    socket().reply({ type: 'room', workshop: 'Spring cohort', units, rounds: closed, ref: '1' });
    expect(document.querySelector('h1')!.textContent).toBe('Spring cohort');
    const options = [...byId<HTMLSelectElement>('unit').options].map((o) => o.value);
    expect(options).toEqual(['', 'customer-service', 'finance', 'it']);
    type('name', ' Ana ');
    choose('unit', 'finance');
    tick('manager');
    byId<HTMLButtonElement>('form-error').closest('form')!.querySelector('button')!.click();
    const join = socket().last('join')!;
    expect(join).toEqual({ type: 'join', code: 'ABC234', name: 'Ana', unit: 'finance', manager: true, client: join.client, ref: '2' });
    expect(join.client).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('re-sends a join whose reply was lost with the same client id, so the server finds the participant', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: 'W', units, rounds: closed, ref: '1' });
    choose('unit', 'it');
    app().querySelector('form')!.requestSubmit();
    const first = socket().last('join')!;
    socket().onclose!();
    vi.advanceTimersByTime(700);
    socket().open();
    expect(socket().last('join')).toEqual(first);
  });

  it('joins anonymously', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: 'W', units, rounds: closed, ref: '1' });
    type('name', 'Ana');
    tick('anonymous');
    expect(byId<HTMLInputElement>('name').disabled).toBe(true);
    choose('unit', 'it');
    app().querySelector('form')!.requestSubmit();
    expect(socket().last('join')).toMatchObject({ name: null, unit: 'it', manager: false });
  });

  it('asks for the unit before joining', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: 'W', units, rounds: closed, ref: '1' });
    app().querySelector('form')!.requestSubmit();
    expect(status('form-error')).toBe('Please choose your unit.');
    expect(socket().last('join')).toBeUndefined();
  });

  it('starts with the code field without a code, and says when a code is wrong', () => {
    boot('/');
    socket().open();
    expect(byId('code')).toBeTruthy();
    type('code', 'zzz-999');
    app().querySelector('form')!.requestSubmit();
    expect(socket().last('lookup')).toMatchObject({ code: 'ZZZ999' });
    socket().reply({ type: 'error', code: 'bad_code', message: 'no workshop has the code ZZZ999', ref: socket().last('lookup')!.ref });
    expect(status('form-error')).toMatch(/No workshop has this code/);
  });

  it('shows the wait after too many wrong codes, and lets the person try again after it', () => {
    boot('/');
    socket().open();
    type('code', 'WRONG1');
    app().querySelector('form')!.requestSubmit();
    socket().reply({ type: 'error', code: 'slow_down', message: 'too many wrong codes', retry_ms: 4000, ref: socket().last('lookup')!.ref });
    expect(byId('wait').hidden).toBe(false);
    expect(status('wait')).toBe('Too many wrong codes. Try again in 4 s.');
    expect(app().querySelector<HTMLButtonElement>('form button')!.disabled).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(status('wait')).toBe('Too many wrong codes. Try again in 2 s.');
    vi.advanceTimersByTime(2500);
    expect(app().querySelector<HTMLButtonElement>('form button')!.disabled).toBe(false);
  });

  it('keeps the token and puts it in the link; the personal link is offered', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply(welcome(closed, [], TOKEN));
    expect(JSON.parse(localStorage.getItem('ripple.identity')!)).toEqual({ token: TOKEN, code: 'ABC234' });
    expect(location.search).toBe('?c=ABC234');
    expect(location.hash).toBe(`#t=${TOKEN}`);
    expect(byId<HTMLInputElement>('link').value).toBe(`${location.origin}/?c=ABC234#t=${TOKEN}`);
    expect(text()).toContain('Waiting for the trainer');
  });
});

describe('resuming', () => {
  it('resumes with the link’s token and fills the form with the stored answers', () => {
    boot(`/?c=ABC234#t=${TOKEN}`);
    socket().open();
    expect(socket().sent[0]).toEqual({ type: 'resume', token: TOKEN, ref: '1' });
    socket().reply(
      welcome(open, [
        { question: 'customers', customers: [
          { customer: { unit: 'customer-service' }, needs: [{ text: 'Payslips', category: 'time' }], two_way: 'yes', rating: 8 },
          { customer: { proposed: 'Night shift' }, needs: [], two_way: 'no', rating: 3 },
        ] },
      ]),
    );
    expect(byId<HTMLInputElement>('cu-0').checked).toBe(true);
    expect(byId<HTMLTextAreaElement>('c0-n0').value).toBe('Payslips');
    expect(byId<HTMLSelectElement>('c0-n0-c').value).toBe('time');
    expect(byId<HTMLInputElement>('c0-w-yes').checked).toBe(true);
    expect(byId<HTMLInputElement>('c0-r-8').checked).toBe(true);
    expect(byId('c1-h').textContent).toBe('Night shift');
    expect(byId<HTMLInputElement>('c1-r-3').checked).toBe(true);
    expect(status('status-customers')).toBe('Saved ✓');
    expect(JSON.parse(localStorage.getItem('ripple.identity')!).token).toBe(TOKEN);
  });

  it('resumes with the stored token when the link has none', () => {
    localStorage.setItem('ripple.identity', JSON.stringify({ token: TOKEN, code: 'ABC234' }));
    boot('/?c=ABC234');
    socket().open();
    expect(socket().sent).toEqual([{ type: 'resume', token: TOKEN, ref: '1' }]);
    socket().reply(welcome(closed));
    expect(location.hash).toBe(`#t=${TOKEN}`);
  });

  it('forgets a bad token and goes back to joining', () => {
    boot(`/?c=ABC234#t=${TOKEN}`);
    socket().open();
    socket().reply({ type: 'error', code: 'bad_token', message: 'unknown token', ref: '1' });
    expect(localStorage.getItem('ripple.identity')).toBeNull();
    expect(location.hash).toBe('');
    socket().open(); // a fresh connection: the old participant's news stops
    expect(socket().last('lookup')).toMatchObject({ code: 'ABC234' });
    socket().reply({ type: 'room', workshop: 'W', units, rounds: open, ref: socket().last('lookup')!.ref });
    expect(byId('unit')).toBeTruthy();
    expect(text()).toContain('Please join again');
  });

  it('drops an old identity’s unsent answer that the server refuses, and stays', () => {
    const box = [{ submission: 'old-00000001', token: 'f'.repeat(64), key: 'thanks:it', answer: { question: 'thanks', unit: 'it', message: 'x' } }];
    localStorage.setItem('ripple.outbox', JSON.stringify(box));
    boot(`/?c=ABC234#t=${TOKEN}`);
    socket().open();
    expect(socket().last('submit')).toMatchObject({ token: 'f'.repeat(64), submission: 'old-00000001' });
    socket().reply(welcome(open));
    socket().reply({ type: 'error', code: 'bad_token', message: 'unknown token', submission: 'old-00000001' });
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toEqual([]);
    expect(JSON.parse(localStorage.getItem('ripple.identity')!).token).toBe(TOKEN);
    expect(byId('cu-0')).toBeTruthy();
  });
});

describe('the self-assessment', () => {
  it('waits while the round is closed and shows the questions when the trainer opens it', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply(welcome(closed, [], TOKEN));
    expect(byId('cu-0')).toBeNull();
    socket().reply(welcome(open));
    expect(byId('cu-0')).toBeTruthy();
    expect(text()).not.toContain('Waiting for the trainer');
  });

  it('sends the four answers with a fresh submission id and shows Saving…, then Saved ✓', () => {
    joined();
    answerCustomerService();
    type('new-customer', 'Night shift');
    byId('add-customer').click();
    tick('c1-w-no');
    tick('c1-r-4');
    expect(status('status-customers')).toBe('Changed — not saved yet');
    byId('save-customers').click();
    const sub = socket().last('submit')!;
    expect(sub.token).toBe(TOKEN);
    expect(sub.submission).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(sub.answer).toEqual({
      question: 'customers',
      customers: [
        { customer: { unit: 'customer-service' }, needs: [{ text: 'Payslips on the 25th', category: 'time' }], two_way: 'sometimes', rating: 6 },
        { customer: { proposed: 'Night shift' }, needs: [], two_way: 'no', rating: 4 },
      ],
    });
    expect(status('status-customers')).toBe('Saving…');
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toHaveLength(1);
    socket().reply({ type: 'ack', receipt: { submission: sub.submission, participant: 7, question: 'customers' } });
    expect(status('status-customers')).toBe('Saved ✓');
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toEqual([]);
  });

  it('says what is missing instead of sending', () => {
    joined();
    tick('cu-1'); // Finance
    byId('save-customers').click();
    expect(socket().last('submit')).toBeUndefined();
    expect(byId('c0-err').textContent).toContain('Question 3: choose yes, sometimes or no.');
    expect(byId('c0-err').textContent).toContain('Question 4');
    expect(document.activeElement).toBe(byId('c0-err'));
  });

  it('keeps an answer made offline and re-sends it, with the same id, once connected again', () => {
    joined();
    socket().onclose!();
    expect(document.querySelector('.conn')!.textContent).toMatch(/Reconnecting|Offline/);
    answerCustomerService();
    byId('save-customers').click();
    expect(status('status-customers')).toBe('Not sent yet — will retry');
    const id = JSON.parse(localStorage.getItem('ripple.outbox')!)[0].submission;
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    socket().open();
    expect(socket().sent.map((m) => m.type)).toEqual(['resume', 'submit']);
    expect(socket().last('submit')!.submission).toBe(id);
    expect(status('status-customers')).toBe('Saving…');
    socket().reply({ type: 'ack', receipt: { submission: id, participant: 7, question: 'customers' } });
    expect(status('status-customers')).toBe('Saved ✓');
  });

  it('re-sends the outbox after a reload', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    const id = socket().last('submit')!.submission;
    stop();
    FakeSocket.all = [];
    boot(location.pathname + location.search + location.hash);
    socket().open();
    expect(socket().sent.map((m) => [m.type, m.submission])).toEqual([['resume', undefined], ['submit', id]]);
    socket().reply(welcome(open, []));
    // The queued answer is newer than what the server holds: it stays in the form.
    expect(byId<HTMLTextAreaElement>('c0-n0').value).toBe('Payslips on the 25th');
  });

  it('reconnects when an answer gets no acknowledgement', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    const first = socket();
    vi.advanceTimersByTime(11000);
    expect(first.closed).toBe(true);
    expect(socket()).not.toBe(first);
  });

  it('shows a refused answer’s error next to the form, naming the customer', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    const sub = socket().last('submit')!;
    socket().reply({ type: 'error', code: 'invalid_input', message: 'customers[0].needs[0].text: at most 280 characters (got 300)', submission: sub.submission });
    expect(status('status-customers')).toBe('Customers[0].needs[0].text: at most 280 characters (got 300)');
    expect(byId('c0-err').textContent).toContain('at most 280 characters');
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toEqual([]);
  });

  it('says when the round closed before the answer arrived', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    socket().reply({ type: 'error', code: 'round_closed', message: 'the self-assessment round is closed', submission: socket().last('submit')!.submission });
    expect(status('status-customers')).toMatch(/closed this round/);
  });

  it('waits as long as the server says after rate_limited, then re-sends the same id', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    const sub = socket().last('submit')!;
    socket().reply({ type: 'error', code: 'rate_limited', message: 'slow down', retry_ms: 2000, submission: sub.submission });
    expect(status('status-customers')).toBe('Not sent yet — will retry');
    socket().sent = [];
    vi.advanceTimersByTime(1500);
    expect(socket().sent).toEqual([]);
    vi.advanceTimersByTime(600);
    expect(socket().last('submit')!.submission).toBe(sub.submission);
  });

  it('after rate_limited without a ref (as the server sends it), waits, then re-sends what got no reply', () => {
    joined();
    answerCustomerService();
    byId('save-customers').click();
    const sub = socket().last('submit')!;
    socket().reply({ type: 'error', code: 'rate_limited', message: 'too many requests from this phone; try again in 1.5 s', retry_ms: 1500 });
    expect(status('status-customers')).toBe('Not sent yet — will retry');
    socket().sent = [];
    vi.advanceTimersByTime(1000);
    expect(socket().sent).toEqual([]);
    vi.advanceTimersByTime(600);
    expect(socket().sent.map((m) => [m.type, m.submission])).toEqual([['submit', sub.submission]]);
    expect(text()).not.toContain('too many requests');
  });

  it('keeps unsent edits when the server pushes news', () => {
    joined();
    answerCustomerService();
    socket().reply(welcome({ self_assessment: true, thanks: true }, []));
    expect(byId<HTMLTextAreaElement>('c0-n0').value).toBe('Payslips on the 25th');
    expect(byId('h-thanks')).toBeTruthy();
  });

  it('asks managers the two managers’ questions', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply(welcome(open, [{ question: 'manager', morale: 'Low', team: '' }], TOKEN, true));
    expect(byId<HTMLTextAreaElement>('morale').value).toBe('Low');
    type('team', 'Talk more');
    byId('save-manager').click();
    expect(socket().last('submit')!.answer).toEqual({ question: 'manager', morale: 'Low', team: 'Talk more' });
  });

  it('rates a service received', () => {
    joined();
    choose('rr-unit', 'it');
    tick('rr-7');
    type('rr-comment', 'Quick fixes');
    byId('send-rating').click();
    expect(socket().last('submit')!.answer).toEqual({ question: 'received_rating', unit: 'it', rating: 7, comment: 'Quick fixes' });
    expect(app().querySelector('.sent')!.textContent).toContain('IT7 / 10 — Quick fixes');
  });
});

describe('thanks', () => {
  it('counts characters and sends a thank-you to each of several units', () => {
    boot('/?c=ABC234');
    socket().open();
    socket().reply(welcome({ self_assessment: false, thanks: true }, [], TOKEN));
    byId('send-thanks').click();
    expect(status('thanks-error')).toBe('Please choose a unit.');
    choose('th-unit', 'it');
    type('th-message', 'Thanks for the laptop!');
    expect(status('th-message-n')).toBe('22 / 280');
    expect(byId<HTMLTextAreaElement>('th-message').maxLength).toBe(280);
    byId('send-thanks').click();
    choose('th-unit', 'customer-service');
    type('th-message', 'Great calls');
    byId('send-thanks').click();
    const sent = socket().sent.filter((m) => m.type === 'submit').map((m) => m.answer);
    expect(sent).toEqual([
      { question: 'thanks', unit: 'it', message: 'Thanks for the laptop!' },
      { question: 'thanks', unit: 'customer-service', message: 'Great calls' },
    ]);
    expect(app().querySelectorAll('.sent li')).toHaveLength(2);
  });
});

describe('free text', () => {
  it('is shown as text, never as markup', () => {
    const evil = '<script>alert(1)</script><b>x</b>';
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: evil, units: [...units, { id: 'evil', name: evil, kind: 'support' }], rounds: open, ref: '1' });
    const r = welcome(open, [{ question: 'customers', customers: [{ customer: { proposed: evil }, needs: [{ text: evil, category: 'quality' }], two_way: 'yes', rating: 1 }] }], TOKEN);
    if (r.type === 'welcome') {
      r.workshop = evil;
      r.me.participant.name = evil;
      r.units = [...units, { id: 'evil', name: evil, kind: 'support' }];
    }
    socket().reply(r);
    expect(document.querySelector('h1')!.textContent).toBe(evil);
    expect(text()).toContain(`${evil} · Finance`);
    expect(byId<HTMLTextAreaElement>('c0-n0').value).toBe(evil);
    expect(app().querySelector('b, script')).toBeNull();
  });
});

describe('the Ripple Effect game', () => {
  const EVIL = '<script>alert(1)</script><b>x</b>';
  const game = (more: Partial<PhoneGame> = {}): PhoneGame => ({
    round: 1,
    phase: 'predict',
    incidents: [{ unit: 'it', severity: 1, kind: 'late' }],
    mine: null,
    customers_felt: null,
    reached_me: null,
    my_score: null,
    ...more,
  });
  function withGame(g: PhoneGame | null, rounds = closed, token?: string, extra: UnitChoice[] = []): ParticipantReply {
    const r = welcome(rounds, [], token);
    if (r.type === 'welcome') {
      r.me.game = g;
      r.units = [...units, ...extra];
    }
    return r;
  }
  function inGame(g: PhoneGame, rounds = closed) {
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: 'Spring cohort', units, rounds, ref: '1' });
    socket().reply(withGame(g, rounds, TOKEN));
  }
  const boxes = () => [...app().querySelectorAll<HTMLInputElement>('#pr-units input')].map((i) => i.value);

  it('asks where it will ripple: what happened, internal units but the incident’s own, and the customers', () => {
    inGame(game());
    expect(byId('h-game').textContent).toBe('Where will it ripple?');
    expect(text()).toContain('IT is late');
    expect(text()).toContain('Severity: complete failure (100 %)');
    expect(boxes()).toEqual(['customer-service', 'finance']); // frontline first; no Households, no IT
    expect(byId('pr-cust-yes')).toBeTruthy();
    expect(text()).not.toContain('Waiting for the trainer');
    // At the top of the questions when a round is open too.
    stop();
    inGame(game(), open);
    expect(app().querySelector('section')!.id || app().querySelector('section h2')!.id).toBe('h-game');
    expect(byId('save-customers')).toBeTruthy();
  });

  it('sends the prediction with a fresh submission id, then shows it saved', () => {
    inGame(game());
    tick('pr-u-customer-service');
    tick('pr-u-finance');
    tick('pr-u-customer-service');
    tick('pr-cust-yes');
    expect(status('status-predict')).toBe('Changed — not saved yet');
    byId('send-prediction').click();
    const sent = socket().last('predict')!;
    expect(sent).toEqual({ type: 'predict', token: TOKEN, submission: sent.submission, round: 1, prediction: { units: ['finance'], customers: true } });
    expect(sent.submission).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(status('status-predict')).toBe('Saving…');
    socket().reply({ type: 'ack', receipt: { submission: sent.submission, participant: 7, question: 'predict' } });
    expect(status('status-predict')).toBe('Saved ✓');
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toEqual([]);
    tick('pr-cust-no');
    byId('send-prediction').click();
    const again = socket().last('predict')!;
    expect(again.submission).not.toBe(sent.submission);
    expect(again.prediction).toEqual({ units: ['finance'], customers: false });
  });

  it('asks about the customers before sending', () => {
    inGame(game());
    tick('pr-u-finance');
    byId('send-prediction').click();
    expect(socket().last('predict')).toBeUndefined();
    expect(byId('predict-error').textContent).toMatch(/external customers/);
  });

  it('is prefilled from the stored prediction, and keeps edits when news comes', () => {
    inGame(game({ mine: { units: ['customer-service'], customers: false } }));
    expect(byId<HTMLInputElement>('pr-u-customer-service').checked).toBe(true);
    expect(byId<HTMLInputElement>('pr-u-finance').checked).toBe(false);
    expect(byId<HTMLInputElement>('pr-cust-no').checked).toBe(true);
    expect(status('status-predict')).toBe('Saved ✓');
    tick('pr-u-finance');
    socket().reply(withGame(game({ mine: { units: ['customer-service'], customers: false } }), open));
    expect(byId<HTMLInputElement>('pr-u-finance').checked).toBe(true);
    expect(status('status-predict')).toBe('Changed — not saved yet');
  });

  it('keeps a prediction made offline and re-sends it, with the same id, once connected', () => {
    inGame(game());
    socket().onclose!();
    tick('pr-u-finance');
    tick('pr-cust-no');
    byId('send-prediction').click();
    expect(status('status-predict')).toBe('Not sent yet — will retry');
    const queued = JSON.parse(localStorage.getItem('ripple.outbox')!);
    expect(queued).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    socket().open();
    const sent = socket().last('predict')!;
    expect(sent.submission).toBe(queued[0].submission);
    expect(sent.prediction).toEqual({ units: ['finance'], customers: false });
  });

  it('says when predictions closed before the prediction arrived', () => {
    inGame(game());
    tick('pr-cust-yes');
    byId('send-prediction').click();
    socket().reply({ type: 'error', code: 'round_closed', message: 'the ripple has started', submission: socket().last('predict')!.submission });
    expect(status('status-predict')).toBe('Predictions are closed: the ripple has started.');
    socket().reply(withGame(game({ phase: 'ripple', customers_felt: false })));
    expect(byId('predict-error').textContent).toBe('Predictions are closed: the ripple has started.');
  });

  it('shows how the ripple reached the participant when the game moves on, as text', () => {
    inGame(game({ mine: { units: ['customer-service'], customers: true } }));
    const sentence = `IT is late with “Laptops” → ${EVIL} feel it after 1 day → Finance feel it after 2 days`;
    socket().reply(withGame(game({
      phase: 'ripple',
      mine: { units: ['customer-service'], customers: true },
      customers_felt: true,
      reached_me: {
        sentence,
        steps: [
          { unit: 'it', name: 'IT', service: null, impact: 1, arrival: 0 },
          { unit: 'evil', name: EVIL, service: 'Laptops', impact: 0.6, arrival: 24 },
          { unit: 'finance', name: 'Finance', service: EVIL, impact: 0.3, arrival: 48 },
        ],
      },
    }), closed, undefined, [{ id: 'evil', name: EVIL, kind: 'support' }]));
    expect(byId('h-game').textContent).toBe('Round 1: the ripple');
    expect(byId('reached').textContent).toBe(`The ripple reached you: ${sentence}`);
    const steps = [...app().querySelectorAll('.steps li')].map((li) => li.textContent);
    expect(steps).toEqual([
      'ITwhere it started · at once · impact 100 %',
      `${EVIL}through “Laptops” · after 1 day · impact 60 %`,
      `Financethrough “${EVIL}” · after 2 days · impact 30 %`,
    ]);
    expect(byId('customers-felt').textContent).toBe('Customers felt it: yes');
    expect(byId('my-prediction').textContent).toBe('You predicted: Customer Service; customers: yes');
    expect(byId('pr-units')).toBeNull();
    expect(byId('my-score')).toBeNull();
    expect(app().querySelector('b, script')).toBeNull();
  });

  it('says when it did not reach the unit, and shows the score', () => {
    inGame(game({ phase: 'score', customers_felt: false, mine: { units: ['finance'], customers: true },
      my_score: { participant: 7, hits: 0, misses: 1, false_alarms: 1, customers_right: false, points: 0 } }));
    expect(byId('reached').textContent).toBe('It did not reach your unit.');
    expect(byId('customers-felt').textContent).toBe('Customers felt it: no');
    expect(byId('my-score').textContent).toBe('Your score: 0 points — 0 hits, 1 missed, 1 false alarmYour call on the customers was wrong');
    socket().reply(withGame(game({ phase: 'debrief', customers_felt: true, mine: { units: ['finance'], customers: true },
      my_score: { participant: 7, hits: 2, misses: 0, false_alarms: 0, customers_right: true, points: 120 } })));
    expect(byId('my-score').textContent).toBe('Your score: 120 points — 2 hits, 0 missed, 0 false alarmsYour call on the customers was right ✓');
  });
});

describe('the Engagement Cycle', () => {
  const EVIL = '<img src=x onerror=alert(1)>';
  const cycle = (more: Partial<PhoneCycle> = {}): PhoneCycle => ({
    cycle: 1,
    name: 'A repair call',
    stage: {
      id: 3,
      phase: 'during_service',
      title: 'The repair',
      customer_does: 'Lets the engineer in',
      moment: { unit: 'customer-service', expectation: 'Fixed at the first visit' },
      needs: [],
    },
    position: 3,
    stages: 5,
    needs_shown: false,
    proposals: [],
    ...more,
  });
  function withCycle(c: PhoneCycle | null, token?: string): ParticipantReply {
    const r = welcome(closed, [], token);
    if (r.type === 'welcome') r.me.cycle = c;
    return r;
  }
  function inCycle(c: PhoneCycle) {
    boot('/?c=ABC234');
    socket().open();
    socket().reply({ type: 'room', workshop: 'Spring cohort', units, rounds: closed, ref: '1' });
    socket().reply(withCycle(c, TOKEN));
  }

  it('shows the stage on screen and its moment of truth; its needs only once the trainer reveals them', () => {
    inCycle(cycle());
    expect(byId('h-stage').textContent).toBe('The repair');
    expect(text()).toContain('A repair call · stage 3 of 5 · during the service');
    expect(byId('moment').textContent).toBe('Moment of truth: Customer Service — “Fixed at the first visit”');
    expect(byId('stage-needs')).toBeNull();
    expect(text()).not.toContain('Waiting for the trainer');
    socket().reply(withCycle(cycle({ needs_shown: true, stage: { ...cycle().stage, needs: [
      { provider: 'it', customer: 'finance', what: 'Laptops', category: 'time', standard: 'by 8:00' },
      { provider: null, customer: 'customer-service', what: 'Late warnings', category: 'delivery', standard: '' },
    ] } })));
    const needs = [...byId('stage-needs').querySelectorAll('li')].map((li) => li.textContent);
    expect(needs).toEqual(['IT → you: Laptops (time: by 8:00)', 'Nobody yet → Customer Service: Late warnings (delivery method)']);
  });

  it('says what is missing, then sends a need with a fresh submission id and shows it as sending', () => {
    inCycle(cycle());
    byId('send-need').click();
    expect(byId('need-error').textContent).toBe('Please say what you need.');
    type('need-what', '  Spare parts list ');
    byId('send-need').click();
    expect(byId('need-error').textContent).toContain('quality, time or delivery method');
    expect(socket().last('propose_need')).toBeUndefined();
    choose('need-provider', 'it');
    tick('need-cat-time');
    type('need-standard', 'before 8:00');
    byId('send-need').click();
    const sent = socket().last('propose_need')!;
    expect(sent).toEqual({ type: 'propose_need', token: TOKEN, submission: sent.submission, stage: 3,
      need: { provider: 'it', what: 'Spare parts list', category: 'time', standard: 'before 8:00' } });
    expect(sent.ref).toBeUndefined();
    expect(byId<HTMLInputElement>('need-what').value).toBe('');
    expect(byId('room-needs').textContent).toContain('Sending…');
    socket().reply({ type: 'ack', receipt: { submission: sent.submission, participant: 7, question: 'need:1' } });
    expect(byId('room-needs')?.textContent ?? '').not.toContain('Sending…');
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!)).toEqual([]);
  });

  it('keeps a need added offline and sends it, with the same id, once connected', () => {
    inCycle(cycle());
    socket().onclose!();
    type('need-what', 'Parts');
    tick('need-cat-quality');
    byId('send-need').click();
    const queued = JSON.parse(localStorage.getItem('ripple.outbox')!);
    expect(queued).toHaveLength(1);
    expect(byId('room-needs').textContent).toContain('Not sent yet — will retry');
    vi.advanceTimersByTime(1000);
    socket().open();
    expect(socket().last('propose_need')!.submission).toBe(queued[0].submission);
  });

  it('says when the trainer moved on before the need arrived', () => {
    inCycle(cycle());
    type('need-what', 'Parts');
    tick('need-cat-quality');
    byId('send-need').click();
    const sent = socket().last('propose_need')!;
    socket().reply({ type: 'error', code: 'stage_closed', message: 'needs are collected for the stage on the screen', submission: sent.submission });
    expect(byId('need-error').textContent).toBe('The trainer has moved on: “Parts” was not added. Add it again if it matters here too.');
  });

  it('lists the room’s needs by votes, as text, and toggles this phone’s vote', () => {
    inCycle(cycle({ proposals: [
      { id: 1, need: { provider: 'it', customer: 'customer-service', what: 'Few', category: 'quality', standard: '' }, votes: 1, voted: false, mine: false, accepted: false },
      { id: 2, need: { provider: null, customer: 'finance', what: EVIL, category: 'time', standard: '' }, votes: 3, voted: true, mine: true, accepted: true },
    ] }));
    const items = [...byId('room-needs').querySelectorAll('li')];
    expect(items.map((li) => li.querySelector('.said')!.textContent)).toEqual([`Nobody yet → you: ${EVIL} (time)`, 'IT → Customer Service: Few (quality)']);
    expect(document.querySelector('img')).toBeNull();
    expect(items[0].querySelector('.tags')!.textContent).toBe('yours · accepted ✓');
    expect(byId('vote-2').getAttribute('aria-pressed')).toBe('true');
    byId('vote-1').click();
    const vote = socket().last('vote_need')!;
    expect(vote).toEqual({ type: 'vote_need', token: TOKEN, submission: vote.submission, proposal: 1, vote: true });
    // Counted at once (1 + this phone's vote), before the server's news.
    expect(byId('vote-1').textContent).toBe('▲ 2');
    expect(byId('vote-1').getAttribute('aria-pressed')).toBe('true');
    expect(byId('vote-1').getAttribute('aria-label')).toBe('Take back your vote for “Few” (2 votes)');
    byId('vote-1').click();
    const again = socket().last('vote_need')!;
    expect(again.vote).toBe(false);
    expect(JSON.parse(localStorage.getItem('ripple.outbox')!).filter((e: any) => e.vote)).toHaveLength(1);
  });
});

describe('the connection', () => {
  it('backs off, then falls back to POST /api when WebSockets never connect', async () => {
    const fetch = vi.fn(async (_url: string, init: { body: string }) => {
      const req = JSON.parse(init.body);
      return { json: async () => ({ ...welcome(open), ref: req.ref }) };
    });
    vi.stubGlobal('fetch', fetch);
    const conn = boot(`/?c=ABC234#t=${TOKEN}`);
    socket().onclose!();
    expect(conn.textContent).toMatch(/Reconnecting/);
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    socket().onclose!();
    expect(conn.textContent).toBe('Connected (slow mode)');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe('/api');
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toMatchObject({ type: 'resume', token: TOKEN });
    await vi.advanceTimersByTimeAsync(10);
    expect(byId('cu-0')).toBeTruthy();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetch).toHaveBeenCalledTimes(2); // a poll
  });

  it('counts a socket that opens and closes without a word as a failed connect', () => {
    vi.stubGlobal('fetch', vi.fn(() => new Promise(() => {})));
    const conn = boot(`/?c=ABC234#t=${TOKEN}`);
    socket().open();
    socket().onclose!();
    vi.advanceTimersByTime(700);
    socket().open();
    socket().onclose!();
    expect(conn.textContent).toBe('Connected (slow mode)');
  });

  it('keeps using WebSockets after a connection that worked is lost', () => {
    const conn = boot(`/?c=ABC234#t=${TOKEN}`);
    for (let i = 0; i < 3; i++) {
      socket().open();
      socket().reply(welcome(closed));
      socket().onclose!();
      vi.advanceTimersByTime(10000);
    }
    expect(FakeSocket.all).toHaveLength(4);
    expect(conn.textContent).toBe('Reconnecting…');
  });

  it('takes an error reply of POST /api (HTTP 4xx) like one over the WebSocket', async () => {
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init: { body: string }) => {
      const req = JSON.parse(init.body);
      const reply = req.type === 'resume'
        ? { type: 'error', code: 'bad_token', message: 'unknown token', ref: req.ref }
        : { type: 'room', workshop: 'W', units, rounds: open, ref: req.ref };
      return { status: reply.type === 'error' ? 403 : 200, json: async () => reply };
    }));
    boot(`/?c=ABC234#t=${TOKEN}`);
    socket().onclose!();
    vi.advanceTimersByTime(700);
    socket().onclose!();
    await vi.advanceTimersByTimeAsync(10);
    expect(localStorage.getItem('ripple.identity')).toBeNull();
    expect(byId('unit')).toBeTruthy();
  });
});

describe('kiosk mode', () => {
  it('keeps no token in storage or in the address, and forgets the person when they are done', () => {
    joined('/?c=ABC234&kiosk=1');
    expect(localStorage.getItem('ripple.identity')).toBeNull();
    expect(location.hash).toBe('');
    expect(byId('link')).toBeNull();
    expect(document.documentElement.classList.contains('kiosk')).toBe(true);
    byId('done').click();
    expect(text()).toContain('Connecting');
    socket().open();
    expect(socket().last('lookup')).toMatchObject({ code: 'ABC234' });
    socket().reply({ type: 'room', workshop: 'W', units, rounds: open, ref: socket().last('lookup')!.ref });
    expect(byId('unit')).toBeTruthy();
    expect(text()).toContain('The next person can join now');
  });

  it('asks again before forgetting unsaved changes', () => {
    joined('/?c=ABC234&kiosk=1');
    answerCustomerService();
    byId('done').click();
    expect(text()).toContain('Some changes are not saved yet');
    byId('done').click();
    expect(byId('done')).toBeNull();
  });
});
