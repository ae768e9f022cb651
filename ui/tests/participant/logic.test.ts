import { describe, expect, it } from 'vitest';
import {
  needDraftError,
  needLine,
  shownProposals,
  voteKey,
  Outbox,
  answerStatus,
  backoffDelay,
  buildCustomersAnswer,
  customerKey,
  draftsFromAnswer,
  errorCustomer,
  errorText,
  loadIdentity,
  mergeAnswers,
  newSubmissionId,
  normalizeCode,
  parseLocation,
  personalLink,
  questionKey,
  typedCustomer,
  predictableUnits,
  predictKey,
  incidentText,
  severityText,
  scoreText,
} from '../../participant/participant.js';
import type { Answer } from '../../src/lib/bindings/Answer';
import type { UnitChoice } from '../../src/lib/bindings/UnitChoice';

const TOKEN = 'ab'.repeat(32);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const units: UnitChoice[] = [
  { id: 'finance', name: 'Finance', kind: 'support' },
  { id: 'customer-service', name: 'Customer Service', kind: 'frontline' },
  { id: 'households', name: 'Households', kind: 'external' },
];

function memory() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
}

describe('the address', () => {
  it('gives the code of the QR link, normalized', () => {
    expect(parseLocation('http://192.168.1.20:8765/?c=ab3-def')).toEqual({ code: 'AB3DEF', token: '', kiosk: false });
  });

  it('gives the token of a personal link from the fragment', () => {
    expect(parseLocation(`http://h:1/?c=ABC234#t=${TOKEN.toUpperCase()}`)).toEqual({ code: 'ABC234', token: TOKEN, kiosk: false });
  });

  it('ignores a fragment that is no token', () => {
    expect(parseLocation('http://h:1/?c=ABC234#t=<script>').token).toBe('');
    expect(parseLocation('http://h:1/#t=abc').token).toBe('');
  });

  it('knows kiosk mode', () => {
    expect(parseLocation('http://127.0.0.1:9/?c=ABC234&kiosk=1').kiosk).toBe(true);
    expect(parseLocation('http://127.0.0.1:9/?c=ABC234&kiosk=0').kiosk).toBe(false);
  });

  it('builds the personal link that parses back', () => {
    const link = personalLink('http://10.0.0.2:8765', 'ABC234', TOKEN);
    expect(link).toBe(`http://10.0.0.2:8765/?c=ABC234#t=${TOKEN}`);
    expect(parseLocation(link)).toEqual({ code: 'ABC234', token: TOKEN, kiosk: false });
  });

  it('reads a typed code as the server does: case, spaces and dashes do not matter', () => {
    expect(normalizeCode(' ab3-d ef ')).toBe('AB3DEF');
    expect(normalizeCode('x'.repeat(40))).toHaveLength(12);
  });
});

describe('reconnecting', () => {
  it('waits 0.5 s first, doubling up to 10 s', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 30].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it('spreads a room of phones with jitter, never beyond 10 s', () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 0.999999)).toBe(600);
    expect(backoffDelay(8, () => 0.999999)).toBe(10000);
    expect(backoffDelay(8, () => 0)).toBe(8000);
  });
});

describe('submission ids', () => {
  it('use randomUUID where there is one', () => {
    expect(newSubmissionId({ randomUUID: () => 'from-random-uuid' })).toBe('from-random-uuid');
  });

  it('are v4 UUIDs from getRandomValues without a secure context', () => {
    const id = newSubmissionId({ getRandomValues: (a: Uint8Array) => a.fill(0xff) });
    expect(id).toMatch(UUID);
    expect(id).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('still come without any crypto, and differ', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newSubmissionId(undefined)));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(UUID);
  });

  it('fit the server rule (8–64 of A-Za-z0-9-_)', () => {
    expect(newSubmissionId()).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});

const customers: Answer = {
  question: 'customers',
  customers: [{ customer: { unit: 'finance' }, needs: [{ text: 'On time', category: 'time' }], two_way: 'yes', rating: 7 }],
};

describe('the outbox', () => {
  it('keys answers as the receipt names the question', () => {
    expect(questionKey(customers)).toBe('customers');
    expect(questionKey({ question: 'manager', morale: '', team: '' })).toBe('manager');
    expect(questionKey({ question: 'received_rating', unit: 'it', rating: 3, comment: '' })).toBe('received_rating:it');
    expect(questionKey({ question: 'thanks', unit: 'hr', message: 'x' })).toBe('thanks:hr');
  });

  it('keeps unacknowledged answers across a reload, with their ids', () => {
    const store = memory();
    new Outbox(store).add(TOKEN, customers, 'sub-00000001');
    const again = new Outbox(store);
    expect(again.entries).toEqual([{ submission: 'sub-00000001', token: TOKEN, key: 'customers', answer: customers }]);
  });

  it('forgets an answer once acknowledged', () => {
    const store = memory();
    const box = new Outbox(store);
    box.add(TOKEN, customers, 'sub-00000001');
    expect(box.remove('sub-00000001')?.key).toBe('customers');
    expect(box.remove('sub-00000001')).toBeUndefined();
    expect(new Outbox(store).entries).toEqual([]);
  });

  it('replaces an unsent answer to the same question with the newer one', () => {
    const box = new Outbox(memory());
    box.add(TOKEN, customers, 'sub-00000001');
    box.add(TOKEN, { question: 'thanks', unit: 'hr', message: 'a' }, 'sub-00000002');
    box.add(TOKEN, { question: 'thanks', unit: 'it', message: 'b' }, 'sub-00000003');
    box.add(TOKEN, { ...customers }, 'sub-00000004');
    expect(box.entries.map((e) => e.submission)).toEqual(['sub-00000002', 'sub-00000003', 'sub-00000004']);
    expect(box.find('customers', TOKEN)?.submission).toBe('sub-00000004');
    expect(box.find('customers', 'other')).toBeUndefined();
  });

  it('survives damaged storage, and storage that refuses to write', () => {
    const store = memory();
    store.setItem('ripple.outbox', '{not json');
    expect(new Outbox(store).entries).toEqual([]);
    const full = { ...memory(), setItem: () => { throw new Error('QuotaExceededError'); } };
    const box = new Outbox(full);
    box.add(TOKEN, customers, 'sub-00000001');
    expect(box.entries).toHaveLength(1);
    expect(new Outbox(null).entries).toEqual([]);
  });

  it('shows queued answers over the server’s older ones', () => {
    const held: Answer[] = [customers, { question: 'thanks', unit: 'hr', message: 'old' }];
    const box = new Outbox(memory());
    box.add(TOKEN, { question: 'thanks', unit: 'hr', message: 'new' }, 'sub-00000009');
    const all = mergeAnswers(held, box.entries);
    expect([...all.keys()]).toEqual(['customers', 'thanks:hr']);
    expect(all.get('thanks:hr')).toEqual({ question: 'thanks', unit: 'hr', message: 'new' });
  });
});

describe('questions 1–4 as an answer', () => {
  it('builds the answer of the protocol, blank needs left out and text trimmed', () => {
    const { answer, errors } = buildCustomersAnswer([
      { ref: { unit: 'customer-service' }, needs: [{ text: ' Payslips on the 25th ', category: 'time' }, { text: '  ', category: '' }], two_way: 'sometimes', rating: 6 },
      { ref: { proposed: 'Night shift' }, needs: [], two_way: 'no', rating: 4 },
    ]);
    expect(errors).toEqual([]);
    expect(answer).toEqual({
      question: 'customers',
      customers: [
        { customer: { unit: 'customer-service' }, needs: [{ text: 'Payslips on the 25th', category: 'time' }], two_way: 'sometimes', rating: 6 },
        { customer: { proposed: 'Night shift' }, needs: [], two_way: 'no', rating: 4 },
      ],
    });
  });

  it('says what is missing, customer by customer', () => {
    const { errors } = buildCustomersAnswer([
      { ref: { unit: 'finance' }, needs: [{ text: 'x', category: 'quality' }], two_way: 'yes', rating: 9 },
      { ref: { unit: 'hr' }, needs: [{ text: 'Answers', category: '' }], two_way: '', rating: 0 },
    ]);
    expect(errors).toEqual([
      { index: 1, message: 'Need 1: choose quality, time or delivery method.' },
      { index: 1, message: 'Question 3: choose yes, sometimes or no.' },
      { index: 1, message: 'Question 4: choose a rating from 1 to 10.' },
    ]);
  });

  it('keeps to the limits', () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ text: `n${i}`, category: 'time' as const }));
    expect(buildCustomersAnswer([{ ref: { unit: 'a' }, needs: six, two_way: 'no', rating: 1 }]).errors[0].message).toBe('At most 5 needs.');
    const many = Array.from({ length: 21 }, (_, i) => ({ ref: { proposed: `p${i}` }, needs: [], two_way: 'no' as const, rating: 5 }));
    expect(buildCustomersAnswer(many).errors).toEqual([{ index: null, message: 'At most 20 customers.' }]);
  });

  it('fills the form from a stored answer, and round-trips', () => {
    const drafts = draftsFromAnswer(customers);
    expect(drafts).toEqual([{ ref: { unit: 'finance' }, needs: [{ text: 'On time', category: 'time' }], two_way: 'yes', rating: 7 }]);
    expect(buildCustomersAnswer(drafts).answer).toEqual(customers);
    expect(draftsFromAnswer(undefined)).toEqual([]);
  });

  it('turns a typed customer into a unit when it names one', () => {
    expect(typedCustomer('  customer   service ', units)).toEqual({ unit: 'customer-service' });
    expect(typedCustomer('FINANCE', units)).toEqual({ unit: 'finance' });
    expect(typedCustomer(' Night  shift ', units)).toEqual({ proposed: 'Night shift' });
    expect(typedCustomer('   ', units)).toBeNull();
    expect((typedCustomer('y'.repeat(99), units) as { proposed: string }).proposed).toHaveLength(60);
  });

  it('tells customers apart as the server does (typed names ignore case)', () => {
    expect(customerKey({ proposed: 'Night Shift' })).toBe(customerKey({ proposed: 'night shift' }));
    expect(customerKey({ unit: 'x' })).not.toBe(customerKey({ proposed: 'x' }));
  });

  it('finds the customer a server message names', () => {
    expect(errorCustomer('customers[2].needs[0].text: must not be empty')).toBe(2);
    expect(errorCustomer('rating: a rating is from 1 to 10 (got 0)')).toBeNull();
  });
});

describe('what the page says', () => {
  const base = { queued: false, sending: false, dirty: false, held: false };
  it('about an answer', () => {
    expect(answerStatus({ ...base, queued: true, sending: true })).toEqual({ text: 'Saving…', kind: 'saving' });
    expect(answerStatus({ ...base, queued: true })).toEqual({ text: 'Not sent yet — will retry', kind: 'waiting' });
    expect(answerStatus({ ...base, held: true })).toEqual({ text: 'Saved ✓', kind: 'saved' });
    expect(answerStatus({ ...base, held: true, dirty: true }).kind).toBe('dirty');
    expect(answerStatus({ ...base, queued: true, error: 'No.' })).toEqual({ text: 'No.', kind: 'error' });
    expect(answerStatus(base)).toEqual({ text: '', kind: '' });
  });

  it('about a server error', () => {
    expect(errorText('round_closed', 'the self-assessment round is closed')).toMatch(/closed/);
    expect(errorText('invalid_input', 'customers[0].rating: a rating is from 1 to 10 (got 0)')).toBe(
      'Customers[0].rating: a rating is from 1 to 10 (got 0)',
    );
    expect(errorText('bad_code', '')).toMatch(/code/);
  });

  it('reads back a stored identity, and nothing else', () => {
    const store = memory();
    expect(loadIdentity(store)).toBeNull();
    store.setItem('ripple.identity', JSON.stringify({ token: TOKEN, code: 'ABC234' }));
    expect(loadIdentity(store)).toEqual({ token: TOKEN, code: 'ABC234' });
    store.setItem('ripple.identity', '{"token":1}');
    expect(loadIdentity(store)).toBeNull();
    store.setItem('ripple.identity', 'garbage');
    expect(loadIdentity(store)).toBeNull();
  });
});

describe('the game', () => {
  it('offers internal units but the incident’s own, frontline first, each by name', () => {
    const all: UnitChoice[] = [...units, { id: 'it', name: 'IT', kind: 'support' }, { id: 'audit', name: 'Audit', kind: 'support' }];
    expect(predictableUnits(all, [{ unit: 'finance', severity: 0.5, kind: 'late' }]).map((u) => u.id)).toEqual(['customer-service', 'audit', 'it']);
  });

  it('says what happened, how badly, and the score in words', () => {
    expect(incidentText({ unit: 'finance', severity: 1, kind: 'late' }, 'Finance')).toBe('Finance is late');
    expect(incidentText({ unit: 'finance', severity: 1, kind: 'quality' }, 'Finance')).toBe('Finance delivers poor quality');
    expect(severityText(1)).toBe('Severity: complete failure (100 %)');
    expect(severityText(0.5)).toBe('Severity: moderate (50 %)');
    expect(severityText(0.1)).toBe('Severity: minor (10 %)');
    expect(scoreText({ participant: 1, hits: 1, misses: 2, false_alarms: 1, customers_right: true, points: 45 })).toBe(
      'Your score: 45 points — 1 hit, 2 missed, 1 false alarm',
    );
  });

  it('keeps a prediction in the outbox beside answers, one per round', () => {
    const store = memory();
    const box = new Outbox(store);
    box.addPrediction(TOKEN, { round: 1, prediction: { units: ['it'], customers: true } }, 'sub-00000001');
    box.addPrediction(TOKEN, { round: 1, prediction: { units: [], customers: false } }, 'sub-00000002');
    const again = new Outbox(store);
    expect(again.entries).toEqual([{ submission: 'sub-00000002', token: TOKEN, key: predictKey(1), predict: { round: 1, prediction: { units: [], customers: false } } }]);
    expect(mergeAnswers([], again.entries).size).toBe(0);
  });
});

describe('the Engagement Cycle on the phone', () => {
  const p = (id: number, votes: number, voted = false) => ({
    id,
    need: { provider: null, customer: 'it', what: `n${id}`, category: 'time' as const, standard: '' },
    votes,
    voted,
    mine: false,
    accepted: false,
  });
  const queuedVote = (proposal: number, vote: boolean) => ({ submission: `s${proposal}`, token: 't', key: voteKey(proposal), vote: { proposal, vote } });

  it('names what a need lacks, in the order the form asks', () => {
    expect(needDraftError({ what: ' ', category: 'time' })).toBe('Please say what you need.');
    expect(needDraftError({ what: 'Parts', category: '' })).toContain('quality, time or delivery method');
    expect(needDraftError({ what: 'Parts', category: 'quality' })).toBe('');
  });

  it('sorts the room’s needs by votes, oldest first among equals, counting votes still on their way', () => {
    expect(shownProposals([p(1, 2), p(2, 5), p(3, 2)], []).map((x) => x.id)).toEqual([2, 1, 3]);
    const shown = shownProposals([p(1, 2), p(2, 2, true)], [queuedVote(1, true), queuedVote(2, false)]);
    expect(shown.map((x) => [x.id, x.votes, x.voted])).toEqual([[1, 3, true], [2, 1, false]]);
    // A queued vote the server already counted changes nothing.
    expect(shownProposals([p(1, 2, true)], [queuedVote(1, true)])[0].votes).toBe(2);
  });

  it('tells a need in one line, with "you" for the participant’s own unit', () => {
    const name = (id: string) => ({ it: 'IT', finance: 'Finance' })[id] ?? id;
    expect(needLine({ provider: 'it', customer: 'finance', what: 'Laptops', category: 'delivery', standard: 'on the desk' }, name, 'finance'))
      .toBe('IT → you: Laptops (delivery method: on the desk)');
    expect(needLine({ provider: null, customer: 'it', what: 'Cover', category: 'quality', standard: '' }, name, 'finance'))
      .toBe('Nobody yet → IT: Cover (quality)');
  });
});
