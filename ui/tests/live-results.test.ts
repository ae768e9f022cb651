import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import Audience from '../src/Audience.svelte';
import { tauriBackend, type AudienceBackend } from '../src/lib/backend';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import type { LiveWorkshop } from '../src/lib/live';
import { averageOffset, rating, ratingColour } from '../src/lib/results';
import tiny from './fixtures/demo-view.json';
import { agenda, fakeBackend, live, settle } from './fixtures/session';
import { fakeRoom, offlineStatus, onlineStatus, participation, qrSvg, type FakeRoom } from './fixtures/room';

const view = tiny as WorkshopView;
const evil = '<script>alert(1)</script>';
let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  clearMocks();
});

const $ = (selector: string) => document.querySelector(selector);
const $$ = (selector: string) => [...document.querySelectorAll(selector)];

/** The audience window over the fake room, in the self-assessment unless `workshop` says otherwise. */
async function render(room: FakeRoom, workshop: Partial<LiveWorkshop> = {}) {
  const w = live(view, { projector: room.state.projector, ...workshop });
  const backend: AudienceBackend = fakeBackend(w, room.backend);
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(Audience, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
}
const inActivity = (id: number) => ({ agenda: { ...agenda, current: id } });
const thanksActivity = {
  agenda: { activities: [...agenda.activities, { ...agenda.activities[0], id: 14, kind: 'thanks' as const, title: 'Thank you notes' }], current: 14 },
};
const fire = (f: () => void) => {
  f();
  flushSync();
};

describe('the join card', () => {
  it('shows the QR code, the address and the code while online, and nothing of them offline', async () => {
    const room = fakeRoom({ online: onlineStatus() });
    await render(room);
    const card = $('#join-card')!;
    expect(card).not.toBeNull();
    expect($('#join-address')!.textContent).toBe('192.168.1.20:8765');
    expect($('#join-code')!.textContent).toBe('ABC234');
    const img = $('#join-qr') as HTMLImageElement;
    const src = img.getAttribute('src')!;
    expect(src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(src.slice(src.indexOf(',') + 1))).toBe(qrSvg);
    // The SVG is a picture, never part of the page.
    expect(card.querySelector('svg, rect, path')).toBeNull();
    expect(img.getAttribute('alt')).toContain('http://192.168.1.20:8765/?c=ABC234');
    // The map stays beside it.
    expect($$('#org-map g.unit')).toHaveLength(view.map.units.length);

    fire(() => room.fireOnline(offlineStatus()));
    expect($('#join-card')).toBeNull();
    expect($('#join-qr')).toBeNull();
    expect(document.body.textContent).not.toContain('ABC234');
    expect(document.body.textContent).not.toContain('192.168.1.20');
  });

  it('appears when the trainer goes online, with the attendee count unless it is hidden', async () => {
    const room = fakeRoom();
    await render(room);
    expect($('#join-card')).toBeNull();
    fire(() => room.fireOnline(onlineStatus()));
    expect($('#join-code')!.textContent).toBe('ABC234');
    expect($('#join-attendees')!.textContent).toContain('73');
    fire(() => room.fireProjector({ hide_attendees: true }));
    expect($('#join-attendees')).toBeNull();
    expect($('#audience')!.textContent).not.toContain('73');
  });

  it('gives way to the results once they are revealed', async () => {
    const room = fakeRoom({ online: onlineStatus() });
    await render(room);
    fire(() => room.fireProjector({ revealed: true }));
    expect($('#join-card')).toBeNull();
    // Latecomers can still read how to join.
    expect($('#join-strip')!.textContent).toContain('192.168.1.20:8765');
    expect($('#join-strip')!.textContent).toContain('ABC234');
  });
});

describe('the revealed results of the self-assessment', () => {
  it('stay hidden until the trainer reveals them, then replace the map', async () => {
    const room = fakeRoom();
    await render(room);
    expect($('#self-assessment-results, #rating-chart, #room-map, #needs, #thanks-wall')).toBeNull();
    expect(document.body.textContent).not.toContain('accurate');
    expect($$('#org-map g.unit')).toHaveLength(view.map.units.length);
    fire(() => room.fireProjector({ revealed: true }));
    expect($('#self-assessment-results')).not.toBeNull();
    expect($('#org-map')).toBeNull();
    fire(() => room.fireProjector({ revealed: false }));
    expect($('#self-assessment-results')).toBeNull();
    expect($('#org-map')).not.toBeNull();
  });

  it('draw one bar per rating, as tall as its count against the largest, with the average', async () => {
    const room = fakeRoom({ projector: { revealed: true } });
    await render(room);
    const counts = [1, 2, 4, 7, 9, 12, 15, 10, 5, 3];
    const columns = $$('#rating-chart .column');
    expect(columns.map((c) => c.getAttribute('data-rating'))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    columns.forEach((c, i) => {
      const bar = c.querySelector('.bar') as HTMLElement;
      expect(c.querySelector('.count')!.textContent).toBe(String(counts[i]));
      expect(parseFloat(bar.style.height)).toBeCloseTo((counts[i] / 15) * 100, 5);
      expect(bar.style.background).not.toBe('');
    });
    expect((columns[6].querySelector('.bar') as HTMLElement).style.height).toBe('100%');
    // (1·1 + 2·2 + 3·4 + … + 10·3) / 68 = 6.21
    expect($('#rating-average')!.textContent).toBe('6.2');
    expect($('#rating-chart')!.textContent).toContain('68 ratings');
    const marker = $('#average-marker') as HTMLElement;
    expect(parseFloat(marker.style.left)).toBeCloseTo(averageOffset(422 / 68) * 100, 5);
  });

  it('follow the answers as they come in', async () => {
    const room = fakeRoom({ projector: { revealed: true } });
    await render(room);
    const next = participation({ ratings: { counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 4], total: 4, average: 10 }, attendees: 74 });
    fire(() => room.fireParticipation({ ...next, seq: 41 }));
    expect($('#rating-average')!.textContent).toBe('10');
    expect(($('#rating-chart .column[data-rating="10"] .bar') as HTMLElement).style.height).toBe('100%');
    expect(($('#rating-chart .column[data-rating="7"] .bar') as HTMLElement).style.height).toBe('0%');
    expect($('#attendees')!.textContent).toContain('74');
  });

  it('show the share of two-way links and the needs by category', async () => {
    await render(fakeRoom({ projector: { revealed: true } }));
    const parts = $$('#two-way .part');
    expect(parts.map((p) => [p.getAttribute('data-answer'), p.getAttribute('data-count')])).toEqual([
      ['yes', '41'],
      ['sometimes', '27'],
      ['no', '19'],
    ]);
    // 41 of 87 links: 47%.
    expect($('#two-way')!.textContent).toContain('47%');
    const clouds = $$('#needs .cloud');
    expect(clouds.map((c) => c.getAttribute('data-category'))).toEqual(['quality', 'time', 'delivery']);
    expect(clouds.map((c) => c.querySelector('h3')!.textContent)).toEqual([
      'Quality 58 needs',
      'Time 47 needs',
      'Delivery method 31 needs',
    ]);
    const scale = (word: string) => {
      const li = $$('#needs li').find((l) => l.textContent === word) as HTMLElement;
      return parseFloat(li.style.fontSize.split('*')[1]);
    };
    // The most named word of all (accurate, 14) is the largest; one named twice the smallest.
    const scales = $$('#needs li').map((l) => scale(l.textContent!));
    expect(scale('accurate')).toBe(Math.max(...scales));
    expect(scale('day')).toBeLessThan(scale('accurate'));
    expect(scale('teams')).toBeLessThan(scale('day'));
    expect(scale('teams')).toBe(Math.min(...scales));
  });

  it('show the attendee count unless the trainer hides it', async () => {
    const room = fakeRoom({ projector: { revealed: true } });
    await render(room);
    expect($('#attendees')!.textContent).toBe('73 joined');
    fire(() => room.fireProjector({ hide_attendees: true }));
    expect($('#attendees')).toBeNull();
    expect($('#audience header')!.textContent).not.toContain('73');
  });

  it('draw one arrow per room edge, coloured and labelled by its rating', async () => {
    await render(fakeRoom({ projector: { revealed: true } }));
    const edges = participation().results.edges;
    const drawn = $$('#room-map g.room-edge');
    expect(drawn).toHaveLength(edges.length);
    for (const e of edges) {
      const customer = 'unit' in e.customer ? e.customer.unit : `proposed:${e.customer.proposed}`;
      const g = drawn.find((d) => d.getAttribute('data-provider') === e.provider && d.getAttribute('data-customer') === customer);
      expect(g, `${e.provider}→${customer}`).toBeDefined();
      expect(g!.querySelector('path.line')!.getAttribute('stroke')).toBe(ratingColour(e.average));
      expect(g!.querySelector('polygon')!.getAttribute('fill')).toBe(ratingColour(e.average));
    }
    const labels = $$('#room-map .edge-label');
    expect(labels.map((l) => l.textContent).sort()).toEqual(edges.map((e) => rating(e.average)).sort());
    expect(labels.map((l) => l.querySelector('rect')!.getAttribute('fill')).sort()).toEqual(
      edges.map((e) => ratingColour(e.average)).sort(),
    );
    // The lowest rating here (2.4) is magenta-ish, the highest (9.4) green-ish: never red against green.
    expect(ratingColour(1)).toBe('#c51b7d');
    expect(ratingColour(10)).toBe('#3d7a1c');
    // Customers the room typed get their own boxes.
    expect($$('#room-map g.proposed').map((g) => g.getAttribute('data-proposed'))).toEqual(['Night shift', 'New starters', 'Contractors']);
    // Units no one named stay, quieter.
    expect($$('#room-map g.unit')).toHaveLength(view.map.units.length);
    expect($('#room-map g.unit[data-unit-id="legal"]')!.classList.contains('quiet')).toBe(true);
    expect($('#room-map g.unit[data-unit-id="it"]')!.classList.contains('quiet')).toBe(false);
  });

  it('say so when nothing is answered yet', async () => {
    const room = fakeRoom({ projector: { revealed: true } });
    room.state.participation = participation({
      ratings: { counts: Array(10).fill(0), total: 0, average: null },
      two_way: { yes: 0, sometimes: 0, no: 0, links: 0, share_yes: null },
      edges: [],
      needs: participation().results.needs.map((g) => ({ ...g, needs: 0, words: [] })),
    });
    await render(room);
    expect($('#rating-chart')!.textContent).toContain('No ratings yet');
    expect($('#rating-average, #average-marker')).toBeNull();
    expect($('#two-way')!.textContent).toContain('No answers yet');
    expect($$('#room-map g.room-edge')).toHaveLength(0);
    expect($('#self-assessment-results')!.textContent).toContain('No internal customers named yet');
  });
});

describe('the thanks wall', () => {
  it('shows each note with the name of the unit thanked, in the thanks activity once revealed', async () => {
    const room = fakeRoom({ projector: { revealed: false } });
    await render(room, thanksActivity);
    expect($('#thanks-wall')).toBeNull();
    fire(() => room.fireProjector({ revealed: true }));
    const notes = $$('#thanks-wall .note');
    expect(notes).toHaveLength(10);
    // Newest first.
    expect(notes[0].querySelector('.to')!.textContent).toBe('To Marketing');
    expect(notes[9].querySelector('.to')!.textContent).toBe('To IT');
    expect(notes[9].querySelector('.message')!.textContent).toContain('new laptops');
    expect($('#self-assessment-results')).toBeNull();
  });

  it('shows in any other activity when there are notes, and the map when there are none', async () => {
    const room = fakeRoom({ projector: { revealed: true } });
    await render(room, inActivity(13));
    expect($$('#thanks-wall .note')).toHaveLength(10);
    fire(() => room.fireParticipation(participation({ thanks: [] })));
    expect($('#thanks-wall')).toBeNull();
    expect($('#org-map')).not.toBeNull();
  });

  it('shows the newest notes first, only the latest when there are many, and says how many there are', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ unit: 'it', message: `Note ${i + 1}` }));
    await render(fakeRoom({ projector: { revealed: true }, participation: participation({ thanks: many }) }), thanksActivity);
    const notes = $$('#thanks-wall .note');
    expect(notes.length).toBeLessThan(60);
    expect(notes[0].textContent).toContain('Note 60');
    expect(notes[1].textContent).toContain('Note 59');
    expect($('#thanks-wall h2')!.textContent).toContain('60 notes');
  });
});

describe('free text from participants', () => {
  it('is shown as text on every part of the results, never as markup', async () => {
    const p = participation({
      thanks: [
        { unit: 'it', message: evil },
        { unit: '<b>unit</b>', message: 'Bold <b>thanks</b> & <img src=x onerror=alert(1)>' },
      ],
      needs: [
        { category: 'quality', needs: 2, words: [{ word: '<b>bold</b>', count: 2 }, { word: evil, count: 1 }] },
        { category: 'time', needs: 0, words: [] },
        { category: 'delivery', needs: 0, words: [] },
      ],
      edges: [{ provider: 'it', customer: { proposed: evil }, average: 5, count: 1 }],
      proposed: [{ name: evil, mentions: 1 }],
    });
    const room = fakeRoom({ projector: { revealed: true }, participation: p });
    await render(room);
    const words = $$('#needs li').map((l) => l.textContent);
    expect(words).toEqual(['<b>bold</b>', evil]);
    expect($('#room-map g.proposed title')!.textContent).toBe(evil);
    expect($('#room-map g.proposed text')!.textContent!.startsWith('<script>')).toBe(true);
    expect(document.querySelectorAll('#audience script, #audience b, #audience img')).toHaveLength(0);

    unmount(app!);
    app = undefined;
    await render(fakeRoom({ projector: { revealed: true }, participation: p }), thanksActivity);
    const messages = $$('#thanks-wall .message').map((m) => m.textContent);
    expect(messages).toEqual(['Bold <b>thanks</b> & <img src=x onerror=alert(1)>', evil]);
    expect($$('#thanks-wall .to').map((t) => t.textContent)).toEqual(['To <b>unit</b>', 'To IT']);
    expect(document.querySelectorAll('#audience script, #audience b, #audience img')).toHaveLength(0);
  });
});

describe('the audience window over the Tauri events', () => {
  it('reads the room once, then follows participation-changed and online-changed', async () => {
    const commands: string[] = [];
    const shown = { ...live(view), projector: { blank: false, revealed: true, hide_attendees: false } };
    mockIPC(
      (cmd) => {
        commands.push(cmd);
        if (cmd === 'current_workshop') return shown;
        if (cmd === 'participation') return participation();
        if (cmd === 'online_status') return offlineStatus();
        return null;
      },
      { shouldMockEvents: true },
    );
    const { emit } = await import('@tauri-apps/api/event');
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(Audience, { target: document.getElementById('app')!, props: { backend: tauriBackend } });
    await settle(flushSync);
    expect($('#rating-average')!.textContent).toBe('6.2');
    await emit('participation-changed', {
      ...participation({ ratings: { counts: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0], total: 2, average: 1 } }),
      seq: 41,
    });
    await settle(flushSync);
    expect($('#rating-average')!.textContent).toBe('1');
    // Answers arrive on workshop-changed too; they do not reload the workshop.
    const before = commands.length;
    await emit('workshop-changed', { type: 'answers_changed', seq: 42, receipt: {} });
    await settle(flushSync);
    expect(commands.length).toBe(before);
    await emit('projector-changed', { blank: false, revealed: false, hide_attendees: false });
    await emit('online-changed', onlineStatus());
    await settle(flushSync);
    expect($('#join-code')!.textContent).toBe('ABC234');
    expect(new Set(commands)).toEqual(new Set(['current_workshop', 'participation', 'online_status']));
  });

  it('keeps a newer event over an older snapshot that arrives late', async () => {
    let answer: (p: unknown) => void = () => {};
    const room = fakeRoom({ projector: { revealed: true } });
    let push: (p: ReturnType<typeof participation>) => void = () => {};
    const backend = fakeBackend(live(view, { projector: room.state.projector }), {
      ...room.backend,
      participation: () => new Promise((r) => (answer = r as (p: unknown) => void)),
      onParticipationChanged: async (h) => {
        push = h;
        return () => {};
      },
    });
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(Audience, { target: document.getElementById('app')!, props: { backend } });
    await settle(flushSync);
    push({ ...participation({ ratings: { counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], total: 1, average: 10 } }), seq: 50 });
    answer(participation());
    await settle(flushSync);
    expect($('#rating-average')!.textContent).toBe('10');
  });
});
