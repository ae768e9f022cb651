// Ripple — the page participants open on their phones (docs/participant-protocol.md).
// One plain ES2020 module, no framework, no build step: the server embeds it as it is.
// Free text (names, units, messages, errors) is only ever set as text, never as HTML.

/** @typedef {import('../src/lib/bindings/ParticipantRequest').ParticipantRequest} ParticipantRequest */
/** @typedef {import('../src/lib/bindings/ParticipantReply').ParticipantReply} ParticipantReply */
/** @typedef {import('../src/lib/bindings/Answer').Answer} Answer */
/** @typedef {import('../src/lib/bindings/UnitChoice').UnitChoice} UnitChoice */
/** @typedef {import('../src/lib/bindings/Participant').Participant} Participant */
/** @typedef {import('../src/lib/bindings/RoundStates').RoundStates} RoundStates */
/** @typedef {import('../src/lib/bindings/CustomerRef').CustomerRef} CustomerRef */
/** @typedef {import('../src/lib/bindings/NeedCategory').NeedCategory} NeedCategory */
/** @typedef {import('../src/lib/bindings/TwoWay').TwoWay} TwoWay */
/** @typedef {import('../src/lib/bindings/PhoneGame').PhoneGame} PhoneGame */
/** @typedef {import('../src/lib/bindings/Prediction').Prediction} Prediction */
/** @typedef {import('../src/lib/bindings/Incident').Incident} Incident */
/** @typedef {import('../src/lib/bindings/PredictionScore').PredictionScore} PredictionScore */
/** @typedef {import('../src/lib/bindings/PhoneCycle').PhoneCycle} PhoneCycle */
/** @typedef {import('../src/lib/bindings/PhoneProposal').PhoneProposal} PhoneProposal */
/** @typedef {import('../src/lib/bindings/CycleNeed').CycleNeed} CycleNeed */
/** @typedef {import('../src/lib/bindings/CyclePhase').CyclePhase} CyclePhase */
/** @typedef {import('../src/lib/bindings/NeedDraft').NeedDraft} CycleNeedDraft */
/** @typedef {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>} KeyValue */
/** @typedef {{ text: string, category: NeedCategory | '' }} NeedDraft */
/** @typedef {{ ref: CustomerRef, needs: NeedDraft[], two_way: TwoWay | '', rating: number }} CustomerDraft */
/** @typedef {{ index: number | null, message: string }} FormError */
/** @typedef {{ round: number, prediction: Prediction }} PredictDraft */
/** @typedef {{ stage: number, need: CycleNeedDraft }} ProposeDraft */
/** @typedef {{ proposal: number, vote: boolean }} VoteDraft */
/**
 * Something sent and not yet acknowledged: an answer, a game prediction, a need proposed
 * at a cycle's stage or a vote (exactly one of `answer`, `predict`, `need`, `vote`).
 * @typedef {{ submission: string, token: string, key: string, answer?: Answer, predict?: PredictDraft, need?: ProposeDraft, vote?: VoteDraft }} OutboxEntry
 */

/** The server's limits (docs/participant-protocol.md, "Limits"). */
export const LIMITS = { name: 60, text: 280, long: 1000, customers: 20, needs: 5 };
export const CATEGORIES = /** @type {const} */ ([['quality', 'Quality'], ['time', 'Time'], ['delivery', 'Delivery method']]);
export const TWO_WAY = /** @type {const} */ ([['yes', 'Yes'], ['sometimes', 'Sometimes'], ['no', 'No']]);

// ---------------------------------------------------------------- pure logic

/** Requests that carry a submission id: their receipt, not a `ref`, matches the reply. */
const SUBMITTED = ['submit', 'predict', 'propose_need', 'vote_need'];

/** A code as typed: case, spaces and dashes do not matter (as the server reads it). */
export function normalizeCode(/** @type {string} */ typed) {
  return typed.replace(/[\s-]/g, '').slice(0, 12).toUpperCase();
}

/**
 * What the page's address says: the session code (`?c=`), a token (`#t=`, never sent to
 * the server in a URL) and kiosk mode (`?kiosk=1`).
 * @param {string} href
 */
export function parseLocation(href) {
  const url = new URL(href);
  const token = new URLSearchParams(url.hash.slice(1)).get('t') || '';
  return {
    code: normalizeCode(url.searchParams.get('c') || ''),
    token: /^[0-9a-fA-F]{64}$/.test(token) ? token.toLowerCase() : '',
    kiosk: url.searchParams.get('kiosk') === '1',
  };
}

/** The link that resumes this participant on another phone. */
export function personalLink(/** @type {string} */ origin, /** @type {string} */ code, /** @type {string} */ token) {
  return `${origin}/?c=${encodeURIComponent(code)}#t=${token}`;
}

/**
 * How long to wait before reconnect attempt `attempt` (0, 1, …): 0.5 s doubling up to
 * 10 s, ±20 % jitter so a room of phones does not come back all at once.
 */
export function backoffDelay(/** @type {number} */ attempt, random = Math.random) {
  const base = Math.min(10000, 500 * 2 ** Math.min(attempt, 20));
  return Math.round(Math.min(10000, base * (0.8 + 0.4 * random())));
}

/**
 * A fresh submission id (a v4 UUID). Plain http on a LAN is no secure context, and
 * there `crypto.randomUUID` is missing: the id is then built from `getRandomValues`.
 * @param {{ randomUUID?: () => string, getRandomValues?: (a: Uint8Array) => Uint8Array } | undefined} c
 */
export function newSubmissionId(c = globalThis.crypto) {
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The question an answer replaces, as the server's receipt names it. */
export function questionKey(/** @type {Answer} */ a) {
  return a.question === 'received_rating' || a.question === 'thanks' ? `${a.question}:${a.unit}` : a.question;
}

/**
 * Answers not yet acknowledged, kept in `storage` (localStorage; memory in kiosk mode)
 * so a reload or a lost connection loses nothing. A newer answer to the same question
 * replaces an unacknowledged older one: the server keeps only the newest anyway.
 */
export class Outbox {
  /** @param {KeyValue | null} storage */
  constructor(storage, key = 'ripple.outbox') {
    this.storage = storage;
    this.key = key;
    /** @type {OutboxEntry[]} */
    this.entries = [];
    try {
      const saved = JSON.parse((storage && storage.getItem(key)) || '[]');
      if (Array.isArray(saved))
        this.entries = saved.filter((e) => e && typeof e.submission === 'string' && (e.answer || e.predict || e.need || e.vote));
    } catch {} // a damaged outbox is an empty one
  }

  save() {
    try {
      if (this.storage) this.storage.setItem(this.key, JSON.stringify(this.entries));
    } catch {} // full or forbidden: the entries stay in memory
  }

  /** @param {string} token @param {Answer} answer @param {string} submission */
  add(token, answer, submission) {
    return this.put({ submission, token, key: questionKey(answer), answer });
  }

  /** A prediction for a game round. @param {string} token @param {PredictDraft} predict @param {string} submission */
  addPrediction(token, predict, submission) {
    return this.put({ submission, token, key: predictKey(predict.round), predict });
  }

  /** A need proposed at a stage: each one is new, none replaces another. @param {string} token @param {ProposeDraft} need @param {string} submission */
  addNeed(token, need, submission) {
    return this.put({ submission, token, key: `need:${submission}`, need });
  }

  /** A vote for a proposed need; a newer one for the same need replaces it. @param {string} token @param {VoteDraft} vote @param {string} submission */
  addVote(token, vote, submission) {
    return this.put({ submission, token, key: voteKey(vote.proposal), vote });
  }

  /** @param {OutboxEntry} entry */
  put(entry) {
    this.entries = this.entries.filter((e) => !(e.key === entry.key && e.token === entry.token)).concat(entry);
    this.save();
    return entry;
  }

  /** Removes the entry with this submission id (acknowledged or refused); returns it. */
  remove(/** @type {string} */ submission) {
    const entry = this.entries.find((e) => e.submission === submission);
    if (entry) {
      this.entries = this.entries.filter((e) => e !== entry);
      this.save();
    }
    return entry;
  }

  /** @param {string} key @param {string} token */
  find(key, token) {
    return this.entries.find((e) => e.key === key && e.token === token);
  }

  clear() {
    this.entries = [];
    this.save();
  }
}

/**
 * The answers to show: the server's, with answers still in the outbox on top (they are newer).
 * @param {Answer[]} held
 * @param {OutboxEntry[]} queued
 * @returns {Map<string, Answer>}
 */
export function mergeAnswers(held, queued) {
  const all = new Map(held.map((a) => [questionKey(a), a]));
  for (const e of queued) if (e.answer) all.set(e.key, e.answer);
  return all;
}

/** A customer's identity in the form: `u:ID` or `p:lowercased name`. */
export function customerKey(/** @type {CustomerRef} */ ref) {
  return 'unit' in ref ? `u:${ref.unit}` : `p:${ref.proposed.toLowerCase()}`;
}

/**
 * A typed customer: a unit after all when it is a unit's name or id (as the server decides).
 * @param {string} typed
 * @param {UnitChoice[]} units
 * @returns {CustomerRef | null}
 */
export function typedCustomer(typed, units) {
  const name = typed.replace(/\s+/g, ' ').trim().slice(0, LIMITS.name);
  if (!name) return null;
  const folded = name.toLowerCase();
  const unit = units.find((u) => u.id.toLowerCase() === folded || u.name.toLowerCase() === folded);
  return unit ? { unit: unit.id } : { proposed: name };
}

/**
 * The form's drafts for a stored answer to questions 1–4.
 * @param {Answer | undefined} answer
 * @returns {CustomerDraft[]}
 */
export function draftsFromAnswer(answer) {
  if (!answer || answer.question !== 'customers') return [];
  return answer.customers.map((c) => ({
    ref: c.customer,
    needs: c.needs.map((n) => ({ text: n.text, category: n.category })),
    two_way: c.two_way,
    rating: c.rating,
  }));
}

/**
 * Questions 1–4 as an answer, or what is missing (`index`: which customer).
 * Needs left blank are dropped.
 * @param {CustomerDraft[]} drafts
 * @returns {{ answer: Answer, errors: FormError[] }}
 */
export function buildCustomersAnswer(drafts) {
  /** @type {FormError[]} */
  const errors = [];
  if (drafts.length > LIMITS.customers) errors.push({ index: null, message: `At most ${LIMITS.customers} customers.` });
  const customers = drafts.map((d, index) => {
    const needs = d.needs.map((n) => ({ text: n.text.trim(), category: n.category })).filter((n) => n.text);
    if (needs.length > LIMITS.needs) errors.push({ index, message: `At most ${LIMITS.needs} needs.` });
    needs.forEach((n, j) => {
      if (!n.category) errors.push({ index, message: `Need ${j + 1}: choose quality, time or delivery method.` });
      if (n.text.length > LIMITS.text) errors.push({ index, message: `Need ${j + 1}: at most ${LIMITS.text} characters.` });
    });
    if (!d.two_way) errors.push({ index, message: 'Question 3: choose yes, sometimes or no.' });
    if (!(d.rating >= 1 && d.rating <= 10)) errors.push({ index, message: 'Question 4: choose a rating from 1 to 10.' });
    return {
      customer: d.ref,
      needs: needs.map((n) => ({ text: n.text, category: /** @type {NeedCategory} */ (n.category) })),
      two_way: /** @type {TwoWay} */ (d.two_way),
      rating: d.rating,
    };
  });
  return { answer: { question: 'customers', customers }, errors };
}

/** Which customer a server message names (`customers[2].rating: …` → 2), if any. */
export function errorCustomer(/** @type {string} */ message) {
  const m = /^customers\[(\d+)\]/.exec(message);
  return m ? Number(m[1]) : null;
}

/**
 * What to say about one answer.
 * @param {{ queued: boolean, sending: boolean, error?: string, dirty: boolean, held: boolean }} s
 * @returns {{ text: string, kind: 'error' | 'saving' | 'waiting' | 'dirty' | 'saved' | '' }}
 */
export function answerStatus(s) {
  if (s.error) return { text: s.error, kind: 'error' };
  if (s.queued) return s.sending ? { text: 'Saving…', kind: 'saving' } : { text: 'Not sent yet — will retry', kind: 'waiting' };
  if (s.dirty) return { text: 'Changed — not saved yet', kind: 'dirty' };
  if (s.held) return { text: 'Saved ✓', kind: 'saved' };
  return { text: '', kind: '' };
}

/** A server error as a person reads it. */
export function errorText(/** @type {string} */ code, /** @type {string} */ message) {
  /** @type {Record<string, string>} */
  const plain = {
    round_closed: 'The trainer has closed this round: answers can no longer change.',
    bad_code: 'No workshop has this code. Check the code on the trainer’s screen.',
    session_closed: 'The workshop is not taking answers right now.',
    too_large: 'That is too long to send. Please shorten it.',
  };
  return plain[code] || (message ? message.charAt(0).toUpperCase() + message.slice(1) : 'Something went wrong.');
}

// ---------------------------------------------------------------- the game

/** The outbox's key for a round's prediction. */
export function predictKey(/** @type {number} */ round) {
  return `predict:${round}`;
}

const KIND_ORDER = ['frontline', 'support'];

/**
 * The units a participant may predict will feel the incident: internal units (no external
 * segments), not the incident's own; frontline first, then support, each by name.
 * @param {UnitChoice[]} units @param {Incident[]} incidents
 */
export function predictableUnits(units, incidents) {
  const hit = new Set(incidents.map((i) => i.unit));
  return units
    .filter((u) => u.kind !== 'external' && !hit.has(u.id))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
}

/** What happened, in words: "Finance is late". @param {Incident} i @param {string} name */
export function incidentText(i, name) {
  if (i.kind === 'late') return `${name} is late`;
  if (i.kind === 'quality') return `${name} delivers poor quality`;
  return `${name} delivers the wrong way`;
}

/** How bad it is (severity in (0, 1]). */
export function severityText(/** @type {number} */ s) {
  const pct = `${Math.round(Math.max(0, Math.min(1, s)) * 100)} %`;
  const word = s >= 0.995 ? 'complete failure' : s >= 0.67 ? 'severe' : s >= 0.34 ? 'moderate' : 'minor';
  return `Severity: ${word} (${pct})`;
}

/** A score as a person reads it. @param {PredictionScore} s */
export function scoreText(s) {
  const n = (/** @type {number} */ k, /** @type {string} */ one, /** @type {string} */ many) => `${k} ${k === 1 ? one : many}`;
  return `Your score: ${n(s.points, 'point', 'points')} — ${n(s.hits, 'hit', 'hits')}, ${s.misses} missed, ${n(s.false_alarms, 'false alarm', 'false alarms')}`;
}

// ---------------------------------------------------------------- the Engagement Cycle

/** The outbox's key for a vote on a proposed need. */
export function voteKey(/** @type {number} */ proposal) {
  return `vote:${proposal}`;
}

/** @type {Record<CyclePhase, string>} */
export const PHASES = { pre_service: 'Before the service', during_service: 'During the service', after_service: 'After the service' };

/** What is missing from a need before it can be sent ('' when nothing). @param {{ what: string, category: string }} d */
export function needDraftError(d) {
  if (!d.what.trim()) return 'Please say what you need.';
  if (!d.category) return 'Please choose what it is about: quality, time or delivery method.';
  return '';
}

/**
 * The room's needs at the stage as this phone shows them: its own votes still on their
 * way counted in, most votes first (then oldest first).
 * @param {PhoneProposal[]} proposals @param {OutboxEntry[]} queued
 */
export function shownProposals(proposals, queued) {
  return proposals
    .map((p) => {
      const v = queued.find((e) => e.vote && e.vote.proposal === p.id);
      if (!v || !v.vote || v.vote.vote === p.voted) return p;
      return { ...p, voted: v.vote.vote, votes: p.votes + (v.vote.vote ? 1 : -1) };
    })
    .sort((a, b) => b.votes - a.votes || a.id - b.id);
}

/** "Dispatch → you: the job sheet (time: by 7:30)". @param {CycleNeed} n @param {(id: string) => string} name @param {string} mine */
export function needLine(n, name, mine) {
  const from = n.provider ? name(n.provider) : 'Nobody yet';
  const to = n.customer === mine ? 'you' : name(n.customer);
  const label = (CATEGORIES.find(([c]) => c === n.category) || ['', n.category])[1].toLowerCase();
  return `${from} → ${to}: ${n.what} (${label}${n.standard ? `: ${n.standard}` : ''})`;
}

/** The stored identity (`{token, code}`), if any. */
export function loadIdentity(/** @type {KeyValue | null} */ storage) {
  try {
    const v = JSON.parse((storage && storage.getItem('ripple.identity')) || 'null');
    if (v && typeof v.token === 'string' && typeof v.code === 'string') return { token: v.token, code: v.code };
  } catch {} // none
  return null;
}

// ---------------------------------------------------------------- the page

/** A memory-only stand-in for localStorage (kiosk mode, or storage forbidden). */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (/** @type {string} */ k) => (m.has(k) ? m.get(k) : null),
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => void m.set(k, v),
    removeItem: (/** @type {string} */ k) => void m.delete(k),
  };
}

/** @typedef {Node | string | null | undefined | false} Child */
/**
 * An element. Strings among the children become text nodes, never markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Record<string, unknown>} [props] @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === 'class') el.className = String(v);
    else if (['value', 'checked', 'disabled', 'hidden'].includes(k)) /** @type {any} */ (el)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

/** Starts the page: `root` holds the screens, `conn` says how the connection is. */
export function start(/** @type {HTMLElement} */ root, /** @type {HTMLElement} */ conn) {
  const loc = parseLocation(location.href);
  document.documentElement.classList.toggle('kiosk', loc.kiosk);
  /** @type {KeyValue} */
  let store = memoryStorage();
  if (!loc.kiosk) {
    try {
      localStorage.setItem('ripple.probe', '1');
      localStorage.removeItem('ripple.probe');
      store = localStorage;
    } catch {} // private mode: memory only
  }
  const outbox = new Outbox(store);
  const stored = loc.kiosk ? null : loadIdentity(store);
  const blank = () => ({
    /** @type {Participant | null} */ me: null,
    /** @type {Answer[]} the answers the server holds */ held: [],
    /** @type {PhoneGame | null} the latest game round as the server holds it */ game: null,
    /** @type {{ round: number, units: string[], customers: boolean | null } | null} the prediction being made */ predict: null,
    /** @type {PhoneCycle | null} the Engagement Cycle stage on screen */ cycle: null,
    need: { provider: '', what: '', category: '', standard: '' },
    /** @type {CustomerDraft[]} */ drafts: [],
    manager: { morale: '', team: '' },
    received: { unit: '', rating: 0, comment: '' },
    thanks: { unit: '', message: '' },
    join: { name: '', anonymous: false, unit: '', manager: false },
    /** @type {Set<string>} questions edited since last saved */ dirty: new Set(),
    /** @type {Map<string, string>} server errors by question */ errors: new Map(),
    /** @type {Map<number, string[]>} what is missing, by customer */ cardErrors: new Map(),
    leaving: false,
  });
  const S = {
    ...blank(),
    code: loc.code || (stored ? stored.code : ''),
    token: loc.token || (stored && (!loc.code || stored.code === loc.code) ? stored.token : ''),
    /** @type {'code' | 'join' | 'main' | 'loading'} */ screen: 'loading',
    workshop: '',
    /** @type {UnitChoice[]} */ units: [],
    /** @type {RoundStates} */ rounds: { self_assessment: false, thanks: false },
    filter: '',
    formError: '',
    notice: '',
    waitUntil: 0,
  };
  if (loc.token) saveIdentity();

  // ------------------------------------------------------------ connection
  /** @type {WebSocket | null} */
  let ws = null;
  let wsOpen = false, attempt = 0, failsInRow = 0, httpMode = false, ticks = 0, refSeq = 0, holdUntil = 0, retryTimer = 0;
  /** @type {Map<string, { req: ParticipantRequest, at: number }>} requests awaiting their reply, by ref */
  const pending = new Map();
  /** @type {Map<string, number>} submissions sent and not yet acknowledged */
  const inflight = new Map();
  const CONN = {
    connecting: 'Connecting…',
    online: 'Connected',
    retrying: 'Reconnecting…',
    http: 'Connected (slow mode)',
    offline: 'Offline — answers kept here',
  };
  const showConn = (/** @type {keyof CONN} */ s) => {
    if (conn.textContent !== CONN[s]) conn.textContent = CONN[s];
    conn.className = `conn conn-${s}`;
  };

  function connect() {
    clearTimeout(retryTimer);
    if (ws) return;
    // A socket that closes before saying anything counts as a failed connect (some proxies
    // accept the upgrade, then drop it).
    let heard = false;
    /** @type {WebSocket} */
    let sock;
    try {
      sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    } catch {
      failsInRow++;
      return afterClose();
    }
    ws = sock;
    if (!httpMode) showConn(attempt ? 'retrying' : 'connecting');
    sock.onopen = () => {
      wsOpen = true;
      attempt = 0;
      httpMode = false;
      showConn('online');
      connected();
    };
    sock.onmessage = (e) => {
      heard = true;
      failsInRow = 0;
      let m;
      try {
        m = JSON.parse(String(e.data));
      } catch {
        return;
      }
      receive(m);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      drop();
      if (!heard) failsInRow++;
      afterClose();
    };
  }

  /** Lets go of the socket at once (closing a dead one can take long). */
  function drop() {
    const sock = ws;
    ws = null;
    wsOpen = false;
    inflight.clear();
    if (sock) sock.close();
    refreshStatuses();
  }

  function afterClose() {
    if (httpMode) return;
    if (failsInRow >= 2) {
      // WebSockets do not get through this network: plain requests, and a poll for news.
      httpMode = true;
      showConn('http');
      return connected();
    }
    showConn(navigator.onLine === false ? 'offline' : 'retrying');
    retryTimer = setTimeout(connect, backoffDelay(attempt++));
  }

  /** A fresh connection: say who we are, re-send what got no reply, flush the outbox. */
  function connected() {
    const again = [...pending.values()].map((p) => p.req).filter((r) => r.type !== 'resume');
    pending.clear();
    if (S.token) send({ type: 'resume', token: S.token });
    again.forEach(send);
    flush();
  }

  /** @param {ParticipantRequest} req */
  function send(req) {
    if (!SUBMITTED.includes(req.type)) {
      req.ref = req.ref || String(++refSeq);
      pending.set(req.ref, { req, at: Date.now() });
    }
    if (ws && wsOpen) ws.send(JSON.stringify(req));
    else if (httpMode) post(req);
  }

  /** The same request over `POST /api`; errors come with HTTP 4xx and the same JSON. */
  async function post(/** @type {ParticipantRequest} */ req) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 10000);
    try {
      const res = await fetch('/api', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(req),
        cache: 'no-store',
        signal: abort.signal,
      });
      const reply = await res.json();
      if (httpMode) showConn('http');
      receive(reply);
    } catch {
      if ('submission' in req) inflight.delete(req.submission);
      if (httpMode) showConn('offline');
      refreshStatuses();
    } finally {
      clearTimeout(timer);
    }
  }

  function flush() {
    if (Date.now() < holdUntil || !(wsOpen || httpMode)) return;
    for (const e of outbox.entries) {
      if (inflight.has(e.submission)) continue;
      inflight.set(e.submission, Date.now());
      if (e.predict) send({ type: 'predict', token: e.token, submission: e.submission, round: e.predict.round, prediction: e.predict.prediction });
      else if (e.need) send({ type: 'propose_need', token: e.token, submission: e.submission, stage: e.need.stage, need: e.need.need });
      else if (e.vote) send({ type: 'vote_need', token: e.token, submission: e.submission, proposal: e.vote.proposal, vote: e.vote.vote });
      else if (e.answer) send({ type: 'submit', token: e.token, submission: e.submission, answer: e.answer });
    }
    refreshStatuses();
  }

  // Every second: the wait after wrong codes; replies that never came; in compatibility mode, a poll.
  const tick = setInterval(() => {
    const now = Date.now();
    if (S.waitUntil) updateWait();
    const stale = [...inflight.values(), ...[...pending.values()].map((p) => p.at)].some((at) => now - at > 10000);
    if (stale && wsOpen) {
      drop(); // a dead connection: connect again, re-send
      connect();
    } else if (stale && httpMode) {
      inflight.clear();
      connected();
    } else if (httpMode && ++ticks % 5 === 0) {
      if (ticks % 60 === 0) connect(); // WebSockets may work again
      if (S.token) send({ type: 'resume', token: S.token });
      flush();
    }
  }, 1000);

  const online = () => {
    attempt = failsInRow = 0;
    httpMode = false;
    connect();
  };
  const offline = () => {
    // The network is gone: the socket is dead even if it does not know it yet.
    if (!ws) return showConn('offline');
    drop();
    afterClose();
  };
  addEventListener('online', online);
  addEventListener('offline', offline);

  // ------------------------------------------------------------ replies

  /** @param {ParticipantReply} m */
  function receive(m) {
    const ref = 'ref' in m ? m.ref : undefined;
    const req = ref ? pending.get(ref) : undefined;
    if (ref) pending.delete(ref);
    if (m.type === 'room') {
      Object.assign(S, { workshop: m.workshop, units: m.units, rounds: m.rounds, screen: 'join', formError: '' });
      render();
    } else if (m.type === 'welcome') welcome(m);
    else if (m.type === 'units') {
      S.units = m.units;
      if (S.screen !== 'code') render();
    } else if (m.type === 'ack') {
      inflight.delete(m.receipt.submission);
      const entry = outbox.remove(m.receipt.submission);
      if (entry) {
        const { answer, predict } = entry;
        if (answer) S.held = S.held.filter((a) => questionKey(a) !== entry.key).concat(answer);
        if (predict && S.game && S.game.round === predict.round) S.game.mine = predict.prediction;
        S.errors.delete(entry.key);
        // A need or a vote shows in the room's list: draw it now, the server's news follows.
        if (entry.need || entry.vote) return render();
      }
      refreshStatuses();
    } else if (m.type === 'error') failed(m, req && req.req);
  }

  /** @param {Extract<ParticipantReply, { type: 'welcome' }>} m */
  function welcome(m) {
    const first = S.screen !== 'main';
    if (m.token) S.token = m.token;
    if (!loc.kiosk) {
      saveIdentity();
      if (!location.hash.includes(S.token)) history.replaceState(null, '', personalLink('', S.code, S.token));
    }
    Object.assign(S, { workshop: m.workshop, units: m.units, rounds: m.me.rounds, me: m.me.participant, held: m.me.answers });
    // The server's answers fill the form, except where this phone has newer ones (queued or being edited).
    const all = mergeAnswers(S.held, outbox.entries.filter((e) => e.token === S.token));
    if (first || !S.dirty.has('customers')) S.drafts = draftsFromAnswer(all.get('customers'));
    const mgr = all.get('manager');
    if ((first || !S.dirty.has('manager')) && mgr && mgr.question === 'manager') S.manager = { morale: mgr.morale, team: mgr.team };
    S.game = m.me.game || null;
    S.cycle = m.me.cycle || null;
    const g = S.game;
    if (g && g.phase === 'predict') {
      const key = predictKey(g.round);
      if (first || !S.predict || S.predict.round !== g.round || !S.dirty.has(key)) {
        const queued = outbox.find(key, S.token);
        const p = (queued && queued.predict && queued.predict.prediction) || g.mine;
        S.predict = { round: g.round, units: p ? p.units.slice() : [], customers: p ? p.customers : null };
        S.dirty.delete(key);
      }
    } else S.predict = null;
    if (first) S.dirty.clear();
    S.screen = 'main';
    S.formError = '';
    render();
    flush();
  }

  /**
   * @param {Extract<ParticipantReply, { type: 'error' }>} m
   * @param {ParticipantRequest | undefined} req
   */
  function failed(m, req) {
    const wait = m.retry_ms || 1000;
    const text = errorText(m.code, m.message);
    const entry = m.submission ? outbox.entries.find((e) => e.submission === m.submission) : undefined;
    if (m.code === 'bad_token' && entry && entry.token !== S.token) return void outbox.remove(entry.submission); // an old identity's
    if (m.code === 'bad_token' && S.token) return forget('Your personal link is no longer valid. Please join again.');
    if (m.code === 'rate_limited') {
      // Too many requests: the server may not say which one it refused (no ref, no
      // submission). Wait, then send again whatever got no reply (all of it is idempotent).
      holdUntil = Date.now() + wait;
      if (m.submission) inflight.delete(m.submission);
      else if (!req) inflight.clear();
      setTimeout(() => {
        const again = req ? [req] : [...pending.values()].map((p) => p.req);
        again.forEach(send);
        flush();
      }, wait + 50);
      return refreshStatuses();
    }
    if (m.submission) {
      inflight.delete(m.submission);
      if (entry && m.code !== 'session_closed') {
        // Refused for good: the phone would only be refused again.
        outbox.remove(m.submission);
        S.errors.set(entry.need || entry.vote ? 'need' : entry.key, refusal(entry, m.code, text));
        const i = entry.key === 'customers' ? errorCustomer(m.message) : null;
        if (i !== null) S.cardErrors.set(i, [text]);
        return render();
      }
      return refreshStatuses();
    }
    if (m.code === 'slow_down') S.waitUntil = Date.now() + wait;
    if (S.screen === 'main') S.notice = text;
    else {
      S.formError = m.code === 'slow_down' ? '' : text;
      if (m.code === 'bad_code' || (req && req.type === 'lookup') || S.screen === 'loading') S.screen = 'code';
    }
    render();
  }

  /** What to say when the server refuses something for good. @param {OutboxEntry} entry @param {string} code @param {string} text */
  function refusal(entry, code, text) {
    if (entry.predict && code === 'round_closed') return 'Predictions are closed: the ripple has started.';
    if (entry.need && code === 'stage_closed') return `The trainer has moved on: “${entry.need.need.what}” was not added. Add it again if it matters here too.`;
    return text;
  }

  function saveIdentity() {
    try {
      if (S.token) store.setItem('ripple.identity', JSON.stringify({ token: S.token, code: S.code }));
    } catch {}
  }

  /** Forgets this participant (a bad token, or the kiosk's next person) and goes back to joining. */
  function forget(/** @type {string} */ notice) {
    Object.assign(S, blank(), { token: '', notice, screen: S.code ? 'loading' : 'code' });
    outbox.clear();
    try {
      store.removeItem('ripple.identity');
    } catch {}
    if (!loc.kiosk) history.replaceState(null, '', S.code ? `/?c=${encodeURIComponent(S.code)}` : '/');
    render();
    if (S.code) send({ type: 'lookup', code: S.code });
    // A new connection, so the old participant's news stops.
    if (wsOpen) {
      drop();
      connect();
    }
  }

  // ------------------------------------------------------------ saving

  /** @param {Answer} answer */
  function submit(answer) {
    const entry = outbox.add(S.token, answer, newSubmissionId());
    S.dirty.delete(entry.key);
    S.errors.delete(entry.key);
    flush();
  }

  /** Sends the prediction being made, like an answer (outbox, acknowledgement, re-sent on reconnect). */
  function submitPrediction() {
    const P = S.predict;
    if (!P || P.customers === null) return false;
    const entry = outbox.addPrediction(S.token, { round: P.round, prediction: { units: P.units.slice(), customers: P.customers } }, newSubmissionId());
    S.dirty.delete(entry.key);
    S.errors.delete(entry.key);
    flush();
    refreshStatuses();
    return true;
  }

  /** @type {[string, HTMLElement][]} */
  let statusEls = [];

  function refreshStatuses() {
    for (const [key, el] of statusEls) {
      const entry = outbox.find(key, S.token);
      const s = answerStatus({
        queued: !!entry,
        sending: !!entry && inflight.has(entry.submission),
        error: S.errors.get(key),
        dirty: S.dirty.has(key),
        held: S.held.some((a) => questionKey(a) === key) || (!!S.game && !!S.game.mine && key === predictKey(S.game.round)),
      });
      if (el.textContent !== s.text) el.textContent = s.text;
      el.className = `status ${s.kind}`;
    }
    const done = document.getElementById('done');
    if (done instanceof HTMLButtonElement) done.disabled = outbox.entries.length > 0;
  }

  function statusLine(/** @type {string} */ key, /** @type {string} */ id) {
    const el = h('p', { id, class: 'status', role: 'status', 'aria-live': 'polite' });
    statusEls.push([key, el]);
    return el;
  }

  function edited(/** @type {string} */ key) {
    if (S.dirty.has(key)) return;
    S.dirty.add(key);
    refreshStatuses();
  }

  // ------------------------------------------------------------ rendering

  const unitName = (/** @type {string} */ id) => (S.units.find((u) => u.id === id) || { name: id }).name;
  const refName = (/** @type {CustomerRef} */ r) => ('unit' in r ? unitName(r.unit) : r.proposed);
  const byName = (/** @type {UnitChoice} */ a, /** @type {UnitChoice} */ b) => a.name.localeCompare(b.name);
  const ownUnits = () => S.units.filter((u) => u.kind !== 'external').sort(byName);
  let focusNext = '';

  /** Draws the screen again from the state, keeping focus and the caret where they were. */
  function render() {
    const active = document.activeElement;
    const keep = focusNext || (active && active.id) || '';
    const caret = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? [active.selectionStart, active.selectionEnd] : null;
    focusNext = '';
    statusEls = [];
    const screen = { loading: loadingScreen, code: codeScreen, join: joinScreen, main: mainScreen }[S.screen]();
    root.textContent = ''; // (not replaceChildren: Safari before 14 lacks it)
    root.append(.../** @type {Node[]} */ (screen.filter((n) => n)));
    refreshStatuses();
    const el = keep && document.getElementById(keep);
    if (!el) return;
    el.focus({ preventScroll: true });
    if (caret && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement))
      try {
        el.setSelectionRange(caret[0], caret[1]);
      } catch {} // not a text field
  }

  const loadingScreen = () => [h('h1', {}, 'Ripple'), h('p', { class: 'lead' }, 'Connecting to the workshop…')];
  const notice = () => S.notice && h('p', { class: 'notice', role: 'status' }, S.notice);
  const formError = () => h('p', { id: 'form-error', class: 'error', role: 'alert' }, S.formError);
  const waitText = () => `Too many wrong codes. Try again in ${Math.ceil((S.waitUntil - Date.now()) / 1000)} s.`;
  const waitLine = () => h('p', { id: 'wait', class: 'error', hidden: S.waitUntil <= Date.now() }, waitText());

  function updateWait() {
    const el = document.getElementById('wait');
    if (S.waitUntil <= Date.now()) {
      S.waitUntil = 0;
      render();
    } else if (el) el.textContent = waitText();
  }

  /** @param {string} title @param {string} button @param {Child[]} fields @param {() => void} go */
  function form(title, button, fields, go) {
    const onsubmit = (/** @type {Event} */ e) => {
      e.preventDefault();
      S.formError = S.notice = '';
      go();
    };
    return h('form', { class: 'card', novalidate: true, onsubmit }, title && h('h2', {}, title), fields, formError(), waitLine(),
      h('button', { class: 'primary', disabled: S.waitUntil > Date.now() }, button));
  }

  function codeScreen() {
    const input = h('input', { id: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 14,
      class: 'code-input', value: S.code, 'aria-describedby': 'code-hint form-error' });
    const go = () => {
      S.code = normalizeCode(input.value);
      if (S.code) return send({ type: 'lookup', code: S.code });
      S.formError = 'Please type the code shown on the trainer’s screen.';
      focusNext = 'code';
      render();
    };
    return [h('h1', {}, 'Join a workshop'), notice(), form('', 'Continue', [h('label', { for: 'code' }, 'Session code'),
      h('p', { id: 'code-hint', class: 'hint' }, 'Six letters and digits, shown on the trainer’s screen.'), input], go)];
  }

  /** A checkbox with its label. @param {string} id @param {string} label @param {boolean} on @param {(on: boolean) => void} change */
  const checkbox = (id, label, on, change) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', id, checked: on, onchange: (/** @type {Event} */ e) => change(/** @type {HTMLInputElement} */ (e.target).checked) }),
    h('span', {}, label));

  function joinScreen() {
    const J = S.join;
    const name = h('input', { id: 'name', autocomplete: 'name', maxlength: LIMITS.name, value: J.anonymous ? '' : J.name,
      disabled: J.anonymous, oninput: () => void (J.name = name.value) });
    const group = (/** @type {string} */ label, /** @type {string} */ kind) => {
      const us = S.units.filter((u) => u.kind === kind).sort(byName);
      return us.length ? h('optgroup', { label }, us.map((u) => h('option', { value: u.id }, u.name))) : null;
    };
    const unit = h('select', { id: 'unit', value: J.unit, onchange: () => void (J.unit = unit.value), 'aria-describedby': 'form-error' },
      h('option', { value: '' }, 'Choose your unit…'), group('Frontline', 'frontline'), group('Support', 'support'));
    const go = () => {
      if (!J.unit) {
        S.formError = 'Please choose your unit.';
        focusNext = 'unit';
        return render();
      }
      // `client` makes a join re-sent after a lost reply find the participant it made.
      send({ type: 'join', code: S.code, name: (!J.anonymous && J.name.trim()) || null, unit: J.unit, manager: J.manager, client: newSubmissionId() });
    };
    const other = () => {
      Object.assign(S, { screen: 'code', formError: '', notice: '' });
      render();
    };
    return [h('h1', {}, S.workshop), notice(), form('Join the workshop', 'Join', [
      h('label', { for: 'name' }, 'Your name (optional)'), name,
      checkbox('anonymous', 'Join anonymously', J.anonymous, (on) => {
        J.anonymous = on;
        render();
      }),
      h('label', { for: 'unit' }, 'My unit'), unit,
      checkbox('manager', 'I manage a team', J.manager, (on) => void (J.manager = on)),
    ], go), h('button', { type: 'button', class: 'link', onclick: other }, 'Use a different code')];
  }

  function mainScreen() {
    const me = /** @type {Participant} */ (S.me);
    const who = [me.name || 'Anonymous', unitName(me.unit)].concat(me.manager ? ['manager'] : []).join(' · ');
    /** @type {Child[]} */
    const parts = [h('h1', {}, S.workshop), h('p', { class: 'who' }, who), notice()];
    const g = S.game;
    if (g) parts.push(g.phase === 'predict' ? predictSection(g) : resultSection(g));
    if (S.cycle) parts.push(...cycleSections(S.cycle));
    if (!loc.kiosk) parts.push(linkBox());
    if (S.rounds.self_assessment) parts.push(...assessment());
    if (S.rounds.thanks) parts.push(thanksSection());
    if (!S.rounds.self_assessment && !S.rounds.thanks && !(g && g.phase === 'predict') && !S.cycle)
      parts.push(h('section', { class: 'card waiting' }, h('h2', {}, 'Waiting for the trainer'),
        h('p', {}, 'The trainer will open the questions soon. Keep this page open: it changes by itself.'),
        S.held.length > 0 && h('p', {}, 'Your answers so far are saved.')));
    if (loc.kiosk) parts.push(h('button', { type: 'button', class: 'primary done', id: 'done', onclick: done }, 'Done — next person'));
    return parts;
  }

  /** What happened in a round, incident by incident. @param {PhoneGame} g */
  const incidents = (g) => h('ul', { class: 'incidents' }, g.incidents.map((i) =>
    h('li', {}, h('strong', {}, incidentText(i, unitName(i.unit))), h('span', { class: 'hint' }, severityText(i.severity)))));

  /** The prediction phase: which units will feel it, and will the customers. @param {PhoneGame} g */
  function predictSection(g) {
    const key = predictKey(g.round);
    if (!S.predict || S.predict.round !== g.round) S.predict = { round: g.round, units: g.mine ? g.mine.units.slice() : [], customers: g.mine ? g.mine.customers : null };
    const P = S.predict;
    const chosen = new Set(P.units);
    const err = h('p', { class: 'error', role: 'alert', id: 'predict-error' });
    const toggle = (/** @type {string} */ id, /** @type {boolean} */ on) => {
      P.units = on ? P.units.filter((u) => u !== id).concat(id) : P.units.filter((u) => u !== id);
      edited(key);
    };
    const go = () => {
      err.textContent = submitPrediction() ? '' : 'Please say whether the external customers will feel it.';
      const yes = document.getElementById('pr-cust-yes');
      if (err.textContent && yes) yes.focus();
    };
    const yesNo = /** @type {const} */ ([['yes', 'Yes'], ['no', 'No']]);
    return h('section', { class: 'card game', 'aria-labelledby': 'h-game' },
      h('h2', { id: 'h-game' }, 'Where will it ripple?'),
      h('p', { class: 'hint' }, `Round ${g.round} of the Ripple Effect game. This just happened:`),
      incidents(g),
      h('fieldset', { id: 'pr-units' }, h('legend', {}, 'Which units will feel it?'),
        h('p', { class: 'hint' }, 'Tap every unit you expect to feel it — your own too, if you think so.'),
        h('div', { class: 'grid' }, predictableUnits(S.units, g.incidents).map((u) => h('label', { class: 'check tile' },
          h('input', { type: 'checkbox', id: `pr-u-${u.id}`, value: u.id, checked: chosen.has(u.id),
            onchange: (/** @type {Event} */ e) => toggle(u.id, /** @type {HTMLInputElement} */ (e.target).checked) }),
          h('span', {}, u.name))))),
      pills('pr-cust', 'Will external customers feel it?', yesNo, P.customers === null ? '' : P.customers ? 'yes' : 'no', (v) => {
        P.customers = v === 'yes';
        err.textContent = '';
        edited(key);
      }, 'seg'),
      err,
      h('div', { class: 'sendbar' }, h('button', { type: 'button', class: 'primary', id: 'send-prediction', onclick: go }, 'Send prediction'),
        statusLine(key, 'status-predict')),
      h('p', { class: 'hint' }, 'You can change it until the ripple starts.'));
  }

  /** How long after the incident, in words. */
  const after = (/** @type {number} */ hours) => {
    if (hours <= 0) return 'at once';
    const n = (/** @type {number} */ k, /** @type {string} */ unit) => `after ${k} ${unit}${k === 1 ? '' : 's'}`;
    return hours < 24 ? n(Math.round(hours), 'hour') : n(Math.round((hours / 24) * 10) / 10, 'day');
  };

  /** From the ripple on: how it reached this participant's unit, and from the score on, their score. @param {PhoneGame} g */
  function resultSection(g) {
    const r = g.reached_me;
    const s = g.my_score;
    const error = S.errors.get(predictKey(g.round));
    const mine = g.mine;
    return h('section', { class: 'card game', 'aria-labelledby': 'h-game' },
      h('h2', { id: 'h-game' }, `Round ${g.round}: the ripple`),
      incidents(g),
      error && h('p', { class: 'error', id: 'predict-error' }, error),
      r ? [h('p', { class: 'lead', id: 'reached' }, `The ripple reached you: ${r.sentence}`),
        h('ol', { class: 'steps', 'aria-label': 'How it reached you' }, r.steps.map((st) => h('li', {}, h('strong', {}, st.name),
          h('span', { class: 'hint' }, [st.service ? `through “${st.service}”` : 'where it started', after(st.arrival),
            `impact ${Math.round(st.impact * 100)} %`].join(' · ')))))]
        : h('p', { class: 'lead', id: 'reached' }, 'It did not reach your unit.'),
      g.customers_felt !== null && h('p', { id: 'customers-felt' }, `Customers felt it: ${g.customers_felt ? 'yes' : 'no'}`),
      mine ? h('p', { class: 'hint', id: 'my-prediction' }, `You predicted: ${mine.units.length ? mine.units.map(unitName).join(', ') : 'no unit'}; customers: ${mine.customers ? 'yes' : 'no'}`)
        : h('p', { class: 'hint', id: 'my-prediction' }, 'You made no prediction this round.'),
      s && h('div', { class: 'score', id: 'my-score' }, h('p', { class: 'lead' }, scoreText(s)),
        h('p', {}, s.customers_right ? 'Your call on the customers was right ✓' : 'Your call on the customers was wrong')));
  }

  /** The stage on the trainer's screen, a form to add a need there, and the room's needs to vote on. @param {PhoneCycle} c */
  function cycleSections(c) {
    const me = /** @type {Participant} */ (S.me);
    const st = c.stage;
    const N = S.need;
    const err = h('p', { class: 'error', role: 'alert', id: 'need-error' }, S.errors.get('need') || '');
    const go = () => {
      const missing = needDraftError(N);
      if (missing) {
        err.textContent = missing;
        const first = document.getElementById(N.what.trim() ? 'need-cat-quality' : 'need-what');
        if (first) first.focus();
        return;
      }
      const need = { provider: N.provider || null, what: N.what.trim(), category: /** @type {NeedCategory} */ (N.category), standard: N.standard.trim() };
      outbox.addNeed(S.token, { stage: st.id, need }, newSubmissionId());
      S.errors.delete('need');
      S.need = { provider: '', what: '', category: '', standard: '' };
      focusNext = 'need-what';
      flush();
      render();
    };
    const vote = (/** @type {PhoneProposal} */ p) => {
      outbox.addVote(S.token, { proposal: p.id, vote: !p.voted }, newSubmissionId());
      focusNext = `vote-${p.id}`;
      flush();
      render();
    };
    const providers = ownUnits().filter((u) => u.id !== me.unit);
    const queued = outbox.entries.filter((e) => e.token === S.token);
    const sending = queued.filter((e) => e.need && e.need.stage === st.id);
    const room = shownProposals(c.proposals, queued);
    const what = h('input', { id: 'need-what', maxlength: LIMITS.text, value: N.what, autocomplete: 'off', 'aria-describedby': 'need-error',
      oninput: () => void (N.what = what.value) });
    const standard = h('input', { id: 'need-standard', maxlength: LIMITS.text, value: N.standard, autocomplete: 'off',
      oninput: () => void (N.standard = standard.value) });
    const provider = h('select', { id: 'need-provider', value: N.provider, onchange: () => void (N.provider = provider.value) },
      h('option', { value: '' }, 'I don’t know who'), providers.map((u) => h('option', { value: u.id }, u.name)));
    return [
      h('section', { class: 'card stage', 'aria-labelledby': 'h-stage' },
        h('p', { class: 'hint' }, `${c.name} · stage ${c.position} of ${c.stages} · ${PHASES[st.phase].toLowerCase()}`),
        h('h2', { id: 'h-stage' }, st.title),
        st.customer_does && h('p', {}, h('strong', {}, 'The customer: '), st.customer_does),
        h('p', { id: 'moment' }, h('strong', {}, 'Moment of truth: '), `${unitName(st.moment.unit)}${st.moment.expectation ? ` — “${st.moment.expectation}”` : ''}`),
        c.needs_shown && st.needs.length > 0 && [h('h3', {}, 'What it takes behind the scenes'),
          h('ul', { class: 'needs', id: 'stage-needs' }, st.needs.map((n) => h('li', {}, needLine(n, unitName, me.unit))))]),
      h('section', { class: 'card', 'aria-labelledby': 'h-need' },
        h('h2', { id: 'h-need' }, 'What do you need at this stage?'),
        h('p', { class: 'hint' }, `For ${unitName(me.unit)} to do its part here, what must another unit deliver to you?`),
        h('label', { for: 'need-what' }, 'What you need'), what,
        h('label', { for: 'need-provider' }, 'From whom'), provider,
        pills('need-cat', 'What is it about?', CATEGORIES, N.category, (v) => {
          N.category = v;
          err.textContent = '';
        }, 'seg'),
        h('label', { for: 'need-standard' }, 'The standard you expect (optional)'),
        h('p', { class: 'hint' }, 'For example: by 9:00 · without errors · in the job app'), standard,
        err,
        h('button', { type: 'button', class: 'primary', id: 'send-need', onclick: go }, 'Add need')),
      h('section', { class: 'card', 'aria-labelledby': 'h-room-needs' },
        h('h2', { id: 'h-room-needs' }, 'Needs from the room'),
        room.length + sending.length === 0
          ? h('p', { class: 'hint' }, 'No needs yet at this stage. Be the first!')
          : h('ul', { class: 'room-needs', id: 'room-needs' },
            sending.map((e) => h('li', { class: 'sending' }, h('span', { class: 'said' }, needLine({ ...(/** @type {ProposeDraft} */ (e.need)).need, customer: me.unit }, unitName, me.unit)),
              h('span', { class: 'status saving' }, inflight.has(e.submission) ? 'Sending…' : 'Not sent yet — will retry'))),
            room.map((p) => h('li', {},
              h('span', { class: 'said' }, needLine(p.need, unitName, me.unit)),
              (p.mine || p.accepted) && h('span', { class: 'tags' }, [p.mine ? 'yours' : '', p.accepted ? 'accepted ✓' : ''].filter(Boolean).join(' · ')),
              h('button', { type: 'button', class: 'vote', id: `vote-${p.id}`, 'aria-pressed': String(p.voted),
                'aria-label': `${p.voted ? 'Take back your vote' : 'Vote'} for “${p.need.what}” (${p.votes} ${p.votes === 1 ? 'vote' : 'votes'})`,
                onclick: () => vote(p) }, `▲ ${p.votes}`)))),
        h('p', { class: 'hint' }, 'Vote for the needs that matter most. The trainer adds the important ones to the map.')),
    ];
  }

  function done() {
    if (S.dirty.size && !S.leaving) {
      S.leaving = true;
      S.notice = 'Some changes are not saved yet. Save them, or press “Done — next person” again to leave them.';
      return render();
    }
    forget('Thank you! The next person can join now.');
  }

  function linkBox() {
    const url = personalLink(location.origin, S.code, S.token);
    const input = h('input', { id: 'link', readonly: true, value: url, class: 'mono' });
    const said = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const copy = async () => {
      let ok = false;
      try {
        if (!window.isSecureContext || !navigator.clipboard) throw new Error('no clipboard'); // plain http on a LAN
        await navigator.clipboard.writeText(url);
        ok = true;
      } catch {
        input.select();
        ok = document.execCommand('copy');
      }
      said.textContent = ok ? 'Copied ✓' : 'Select the link and copy it.';
    };
    return h('details', { class: 'linkbox' }, h('summary', {}, 'Your personal link — open it on another phone to continue'),
      h('p', { class: 'hint' }, 'Keep it to yourself: whoever has it can change your answers.'),
      h('label', { for: 'link' }, 'Personal link'), input, h('button', { type: 'button', onclick: copy }, 'Copy link'), said);
  }

  /**
   * Radio buttons drawn as big pills.
   * @param {string} id @param {string} legend @param {ReadonlyArray<readonly [string, string]>} options @param {string} value
   * @param {(v: string) => void} pick @param {string} cls @param {Child} [hint]
   */
  const pills = (id, legend, options, value, pick, cls, hint) => h('fieldset', { id }, h('legend', {}, legend), hint,
    h('div', { class: cls }, options.map(([v, label]) => h('label', { class: 'pill' },
      h('input', { type: 'radio', name: id, id: `${id}-${v}`, value: v, checked: value === v, onchange: () => pick(v) }),
      h('span', {}, label)))));
  const TEN = Array.from({ length: 10 }, (_, i) => /** @type {[string, string]} */ ([`${i + 1}`, `${i + 1}`]));
  /** @param {string} id @param {string} legend @param {number} value @param {(v: number) => void} pick */
  const ratingGroup = (id, legend, value, pick) =>
    pills(id, legend, TEN, String(value), (v) => pick(Number(v)), 'scale', h('p', { class: 'hint' }, '1 = very poor, 10 = excellent'));

  /** A text area with a live count. @param {string} id @param {string} label @param {string} value @param {number} max @param {(v: string) => void} change */
  function textArea(id, label, value, max, change) {
    const count = h('p', { id: `${id}-n`, class: 'count' }, `${value.length} / ${max}`);
    const area = h('textarea', { id, maxlength: max, rows: max > LIMITS.text ? 4 : 3, value, 'aria-describedby': `${id}-n`,
      oninput: () => {
        count.textContent = `${area.value.length} / ${max}`;
        change(area.value);
      } });
    return [h('label', { for: id }, label), area, count];
  }

  function assessment() {
    const key = 'customers';
    const chosen = new Set(S.drafts.map((d) => customerKey(d.ref)));
    const full = S.drafts.length >= LIMITS.customers;
    const own = ownUnits();
    const listed = own.map((u) => /** @type {CustomerRef} */ ({ unit: u.id }))
      .concat(S.drafts.map((d) => d.ref).filter((r) => 'proposed' in r || !own.some((u) => u.id === r.unit)));
    const toggle = (/** @type {CustomerRef} */ ref, /** @type {boolean} */ on) => {
      const k = customerKey(ref);
      S.drafts = on ? S.drafts.concat({ ref, needs: [{ text: '', category: '' }], two_way: '', rating: 0 }) : S.drafts.filter((d) => customerKey(d.ref) !== k);
      S.cardErrors.clear();
      edited(key);
      render();
    };
    const shown = (/** @type {string} */ name) => !S.filter.trim() || name.toLowerCase().includes(S.filter.trim().toLowerCase());
    const search = h('input', { id: 'find', type: 'search', value: S.filter, autocomplete: 'off', oninput: () => {
      S.filter = search.value;
      for (const li of list.children) /** @type {HTMLElement} */ (li).hidden = !shown(li.textContent || '');
    } });
    const list = h('ul', { class: 'choices' }, listed.map((ref, i) => {
      const on = chosen.has(customerKey(ref));
      const name = refName(ref);
      return h('li', { hidden: !shown(name) }, h('label', { class: 'check' },
        h('input', { type: 'checkbox', id: `cu-${i}`, checked: on, disabled: full && !on, onchange: () => toggle(ref, !on) }),
        h('span', {}, name, 'proposed' in ref && h('span', { class: 'tag' }, ' (new)'))));
    }));
    const typed = h('input', { id: 'new-customer', maxlength: LIMITS.name, autocomplete: 'off', onkeydown: (/** @type {KeyboardEvent} */ e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      addTyped();
    } });
    const addTyped = () => {
      const ref = typedCustomer(typed.value, S.units);
      if (!ref || full) return;
      typed.value = '';
      focusNext = 'new-customer';
      if (!chosen.has(customerKey(ref))) toggle(ref, true);
    };
    const save = () => {
      const { answer, errors } = buildCustomersAnswer(S.drafts);
      S.cardErrors.clear();
      for (const e of errors) if (e.index !== null) S.cardErrors.set(e.index, (S.cardErrors.get(e.index) || []).concat(e.message));
      if (!errors.length) submit(answer);
      else {
        S.errors.set(key, 'Please complete the questions marked above.');
        const first = errors.find((e) => e.index !== null);
        if (first) focusNext = `c${first.index}-err`;
      }
      render();
      if (errors.length && document.activeElement) document.activeElement.scrollIntoView({ block: 'center' });
    };
    /** @type {Child[]} */
    const parts = [h('section', { class: 'card', 'aria-labelledby': 'h-customers' }, h('h2', { id: 'h-customers' }, 'Your internal customers'),
      h('fieldset', {}, h('legend', {}, '1. Who are your internal customers?'),
        h('p', { class: 'hint' }, 'The teams who rely on your work. Pick as many as you like.'),
        listed.length > 8 && [h('label', { for: 'find' }, 'Find a unit'), search], list,
        h('label', { for: 'new-customer' }, 'Someone not on the list? Type a name'),
        h('div', { class: 'row' }, typed, h('button', { type: 'button', id: 'add-customer', onclick: addTyped, disabled: full }, 'Add'))))];
    S.drafts.forEach((d, i) => parts.push(customerCard(d, i)));
    parts.push(h('div', { class: 'savebar' },
      h('button', { type: 'button', class: 'primary', id: 'save-customers', onclick: save }, S.drafts.length ? 'Save answers' : 'Save: no internal customers'),
      statusLine(key, 'status-customers')));
    if (S.me && S.me.manager) parts.push(managerSection());
    parts.push(receivedSection());
    return parts;
  }

  /** Questions 2–4 for one customer. @param {CustomerDraft} d @param {number} i */
  function customerCard(d, i) {
    const change = () => edited('customers');
    const name = refName(d.ref);
    const errs = S.cardErrors.get(i) || [];
    const needs = d.needs.map((n, j) => {
      const id = `c${i}-n${j}`;
      const text = h('textarea', { id, maxlength: LIMITS.text, rows: 2, value: n.text, oninput: () => {
        n.text = text.value;
        change();
      } });
      const cat = h('select', { id: `${id}-c`, value: n.category, onchange: () => {
        n.category = /** @type {NeedCategory} */ (cat.value);
        change();
      } }, h('option', { value: '' }, 'Category…'),
      CATEGORIES.map(([v, label]) => h('option', { value: v }, label)));
      const remove = () => {
        d.needs.splice(j, 1);
        change();
        focusNext = `c${i}-add`;
        render();
      };
      return h('li', { class: 'need' }, h('label', { for: id }, `Need ${j + 1}`), text, h('div', { class: 'row' },
        h('label', { for: `${id}-c`, class: 'sr' }, `Need ${j + 1}: category`), cat,
        h('button', { type: 'button', class: 'quiet', 'aria-label': `Remove need ${j + 1}`, onclick: remove }, 'Remove')));
    });
    const add = () => {
      d.needs.push({ text: '', category: '' });
      focusNext = `c${i}-n${d.needs.length - 1}`;
      render();
    };
    return h('section', { class: 'card customer', 'aria-labelledby': `c${i}-h` }, h('h3', { id: `c${i}-h` }, name),
      h('div', { id: `c${i}-err`, class: 'error', tabindex: -1 }, errs.map((e) => h('p', {}, e))),
      h('fieldset', {}, h('legend', {}, `2. What does ${name} need from you to do their job well?`),
        h('p', { class: 'hint' }, 'Up to 5 needs, each about quality, time or the delivery method.'),
        h('ul', { class: 'needs' }, needs),
        d.needs.length < LIMITS.needs && h('button', { type: 'button', id: `c${i}-add`, onclick: add }, '+ Add a need')),
      pills(`c${i}-w`, `3. Are you in regular two-way communication with ${name}?`, TWO_WAY, d.two_way, (v) => {
        d.two_way = /** @type {TwoWay} */ (v);
        change();
      }, 'seg'),
      ratingGroup(`c${i}-r`, `4. If ${name} rated your service, what would they give?`, d.rating, (v) => {
        d.rating = v;
        change();
      }));
  }

  function managerSection() {
    const M = S.manager;
    const change = () => edited('manager');
    return h('section', { class: 'card', 'aria-labelledby': 'h-manager' }, h('h2', { id: 'h-manager' }, 'For managers'),
      textArea('morale', 'How does frustration over internal service affect morale and turnover in your team?', M.morale, LIMITS.long, (v) => {
        M.morale = v;
        change();
      }),
      textArea('team', 'What must your team do to both provide and receive excellent internal service?', M.team, LIMITS.long, (v) => {
        M.team = v;
        change();
      }),
      h('button', { type: 'button', class: 'primary', id: 'save-manager', onclick: () => submit({ question: 'manager', morale: M.morale, team: M.team }) }, 'Save'),
      statusLine('manager', 'status-manager'));
  }

  /** The answers to a per-unit question (ratings received, thanks), the server's and those queued. @param {string} question */
  const perUnit = (question) =>
    [...mergeAnswers(S.held, outbox.entries.filter((e) => e.token === S.token)).entries()].filter(([k]) => k.startsWith(`${question}:`));

  /** @param {string} id @param {string} label @param {string} value @param {(v: string) => void} change */
  function unitPicker(id, label, value, change) {
    const sel = h('select', { id, value, onchange: () => {
      focusNext = id;
      change(sel.value);
      render();
    } }, h('option', { value: '' }, 'Choose a unit…'),
    ownUnits().filter((u) => !S.me || u.id !== S.me.unit).map((u) => h('option', { value: u.id }, u.name)));
    return [h('label', { for: id }, label), sel];
  }

  /** What was sent, unit by unit, each with its status. @param {[string, Answer][]} items @param {(a: Answer) => string} describe @param {string} p */
  const sentList = (items, describe, p) => items.length > 0 && h('ul', { class: 'sent' }, items.map(([k, a], i) => h('li', {},
    h('strong', {}, unitName(k.slice(k.indexOf(':') + 1))), h('span', { class: 'said' }, describe(a)), statusLine(k, `${p}-${i}`))));

  /**
   * A per-unit question's section. @param {string} id @param {string} title @param {string} intro @param {(Child | Child[])[]} fields
   * @param {string} button @param {() => string} go returns what is missing @param {Child} list
   */
  function unitSection(id, title, intro, fields, button, go, list) {
    const err = h('p', { class: 'error', role: 'alert', id: `${id}-error` });
    return h('section', { class: 'card', 'aria-labelledby': `h-${id}` }, h('h2', { id: `h-${id}` }, title), h('p', { class: 'hint' }, intro),
      ...fields, err, h('button', { type: 'button', class: 'primary', id: `send-${id}`, onclick: () => {
        err.textContent = go();
        if (!err.textContent) render();
      } }, button), list);
  }

  function receivedSection() {
    const R = S.received;
    const done = perUnit('received_rating');
    const pick = (/** @type {string} */ unit) => {
      const old = done.find(([k]) => k === `received_rating:${unit}`);
      const a = old && old[1];
      S.received = a && a.question === 'received_rating' ? { unit, rating: a.rating, comment: a.comment } : { unit, rating: 0, comment: '' };
    };
    const go = () => {
      if (!R.unit || !R.rating) return !R.unit ? 'Please choose a unit.' : 'Please choose a rating from 1 to 10.';
      submit({ question: 'received_rating', unit: R.unit, rating: R.rating, comment: R.comment.trim() });
      S.received = { unit: '', rating: 0, comment: '' };
      return '';
    };
    return unitSection('rating', 'Rate a service you receive (optional)', 'How well does another unit serve you? Your rating is set beside their own.', [
      unitPicker('rr-unit', 'The unit that serves you', R.unit, pick),
      ratingGroup('rr', 'How would you rate their service?', R.rating, (v) => void (R.rating = v)),
      textArea('rr-comment', 'Comment (optional)', R.comment, LIMITS.text, (v) => void (R.comment = v)),
    ], 'Send rating', go, sentList(done, (a) => (a.question === 'received_rating' ? `${a.rating} / 10${a.comment ? ` — ${a.comment}` : ''}` : ''), 'rr'));
  }

  function thanksSection() {
    const T = S.thanks;
    const done = perUnit('thanks');
    const pick = (/** @type {string} */ unit) => {
      const old = done.find(([k]) => k === `thanks:${unit}`);
      const a = old && old[1];
      S.thanks = { unit, message: a && a.question === 'thanks' ? a.message : T.message };
    };
    const go = () => {
      if (!T.unit || !T.message.trim()) return !T.unit ? 'Please choose a unit.' : 'Please write a few words.';
      submit({ question: 'thanks', unit: T.unit, message: T.message.trim() });
      S.thanks = { unit: '', message: '' };
      return '';
    };
    return unitSection('thanks', 'Say thank you', 'Thank a unit that served you well. You can thank several.', [
      unitPicker('th-unit', 'To', T.unit, pick),
      textArea('th-message', 'Your thank-you', T.message, LIMITS.text, (v) => void (T.message = v)),
    ], 'Send thanks', go, sentList(done, (a) => (a.question === 'thanks' ? a.message : ''), 'th'));
  }

  // ------------------------------------------------------------ go
  if (!S.token) S.screen = 'code';
  render();
  if (!S.token && S.code) {
    S.screen = 'loading';
    render();
    send({ type: 'lookup', code: S.code });
  }
  connect();
  /** Stops the page (tests). */
  return () => {
    clearInterval(tick);
    clearTimeout(retryTimer);
    removeEventListener('online', online);
    removeEventListener('offline', offline);
    httpMode = false;
    drop();
  };
}

const app = typeof document !== 'undefined' && document.getElementById('app');
const status = typeof document !== 'undefined' && document.getElementById('conn');
if (app && status && app.dataset.ripple === 'participant') start(app, status);
