import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import Audience from '../src/Audience.svelte';
import CycleStage from '../src/components/cycle/CycleStage.svelte';
import type { Cycle } from '../src/lib/bindings/Cycle';
import type { CycleRoom } from '../src/lib/bindings/CycleRoom';
import type { CycleWalk } from '../src/lib/bindings/CycleWalk';
import type { GameRoundView } from '../src/lib/bindings/GameRoundView';
import type { NeedProposal } from '../src/lib/bindings/NeedProposal';
import type { OrgMap } from '../src/lib/bindings/OrgMap';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import demo from './fixtures/demo-view.json';
import { cycleRoom, findings, proposals, repairCall, TWO_WAY } from './fixtures/cycle.mjs';
import { agenda, fakeBackend, live, settle } from './fixtures/session';
import { participation } from './fixtures/room';
import gameRound from './fixtures/game-round.json';

const view = demo as WorkshopView;
const map = view.map as OrgMap;
let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  document.body.innerHTML = '';
});

const $ = (selector: string) => document.querySelector(selector);
const $$ = (selector: string) => [...document.querySelectorAll(selector)];
const text = () => document.body.textContent ?? '';
const walk = (stage: number, needs_shown = false, findings_shown = false): CycleWalk => ({ cycle: 1, stage, needs_shown, findings_shown });

function render(w: CycleWalk, { cycle = repairCall(1), list = proposals(1, 3) }: { cycle?: Cycle; list?: NeedProposal[] } = {}) {
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(CycleStage, {
    target: document.getElementById('app')!,
    props: { cycle, walk: w, proposals: list, findings: findings(cycle, TWO_WAY), map },
  });
  flushSync();
}

describe('the blueprint on the projector', () => {
  it('shows the first stage’s moment of truth only: no needs yet, no later stage', () => {
    render(walk(1));
    expect($('.title.current')!.textContent).toContain('Reporting the fault');
    expect(text()).toContain('Calls or writes in to report that the boiler has stopped');
    expect(text()).toContain('Answered within a minute by someone who can book a visit');
    expect(text()).not.toContain('A working phone system');
    for (const later of ['Booking the visit', 'The repair', 'The invoice', 'Quarterly']) expect(text()).not.toContain(later);
    expect($$('.title.hidden').length).toBe(4);
    expect($$('.need').length).toBe(0);
    // The lanes and the line of visibility are labelled.
    for (const lane of ['What the customer does', 'Frontline — moment of truth', 'Line of visibility', 'Support — internal needs']) expect(text()).toContain(lane);
    expect($$('.phase').map((p) => p.textContent)).toEqual(['Pre-service', 'During service', 'After service']);
  });

  it('reveals the current stage’s needs once shown, tagged by category in words', () => {
    render(walk(1, true));
    const needs = $$('.needs.current .need');
    expect(needs.length).toBe(2);
    expect(needs[0].textContent).toContain('Quality');
    expect(needs[0].textContent).toContain('A working phone system');
    // For the stage's own frontline unit the card says only where the need comes from; its title says all.
    expect(needs[0].textContent).toContain('from IT');
    expect(needs[0].getAttribute('title')).toContain('IT → Customer Service');
    expect(needs[1].querySelector('.tag')!.textContent).toContain('Time');
  });

  it('keeps earlier stages whole and says loudly when nobody delivers a need', () => {
    render(walk(3, true));
    expect($$('.title:not(.hidden)').length).toBe(3);
    expect(text()).toContain('A working phone system');
    const nobody = $('.need.nobody')!;
    expect(nobody.textContent).toContain('Word when an engineer runs late');
    expect(nobody.textContent).toContain('Nobody delivers this');
    expect(text()).not.toContain('The invoice');
  });

  it('lists the room’s proposals for the stage by votes, accepted ones marked, none set aside', () => {
    render(walk(3, true));
    const items = $$('#cycle-room li');
    expect(items.map((li) => li.getAttribute('data-proposal'))).toEqual(['1', '2', '3']);
    expect(items[0].querySelector('.votes')!.textContent).toBe('7');
    expect(items[1].textContent).toContain('✓ Accepted');
    expect(items[0].textContent).not.toContain('Accepted');
    expect(items[2].textContent).toContain('Nobody delivers this');
    expect(text()).not.toContain('Spare tablets');
    expect(text()).not.toContain('Phone us when parts run out');
  });

  it('has no room panel when nothing was proposed at the stage', () => {
    render(walk(2, true));
    expect($('#cycle-room')).toBeNull();
  });

  it('shows what the room and the trainer typed as text, never as markup', () => {
    const cycle = repairCall(1);
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    cycle.stages[0].customer_does = evil;
    cycle.stages[0].needs[0].what = evil;
    const list = proposals(1, 1).map((p) => ({ ...p, need: { ...p.need, what: `${evil} ${p.id}` } }));
    render(walk(1, true), { cycle, list });
    expect($('.does')!.textContent).toContain(evil);
    expect($('.needs .need .what')!.textContent).toBe(evil);
    expect($('#cycle-room .what')!.textContent).toContain('<script>alert(1)</script>');
    expect($('#app script, #app img')).toBeNull();
  });

  it('shows the findings after the last stage', () => {
    render(walk(5, true, true));
    expect($('.blueprint')).toBeNull();
    expect($('#findings-undelivered')!.textContent).toContain('1 need nobody delivers');
    expect($('#findings-undelivered')!.textContent).toContain('Word when an engineer runs late');
    const twoWay = $('#findings-two-way')!;
    expect(twoWay.querySelector('[data-two-way="no"]')!.textContent).toContain('the self-assessment said “no”');
    expect(twoWay.querySelector('[data-two-way="none"]')!.textContent).toContain('nobody answered');
    expect($('#findings-busiest')!.textContent).toContain('The repair');
    expect($('#findings-busiest')!.textContent).toContain('4 needs');
    expect($$('#findings-phases li').map((li) => li.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
      'Pre-service 4 (2 stages)',
      'During service 4 (1 stage)',
      'After service 4 (2 stages)',
    ]);
  });
});

describe('the audience window during a walkthrough', () => {
  async function audience(room: CycleRoom, current = 12, game: GameRoundView | null = null) {
    const p = { ...participation(), cycles: room, game };
    const activities = agenda.activities.map((a) => (a.id === 12 ? { ...a, kind: 'engagement_cycle' as const } : a));
    const backend = fakeBackend(live(view, { cycles: [repairCall(1)], agenda: { activities, current } }), {
      participation: vi.fn(async () => p),
    });
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(Audience, { target: document.getElementById('app')!, props: { backend } });
    await settle(flushSync);
  }

  it('shows the walk instead of the map', async () => {
    await audience(cycleRoom(repairCall(1), walk(2), []));
    expect($('#audience')!.getAttribute('data-showing')).toBe('cycle');
    expect($('.cycle')!.getAttribute('data-stage')).toBe('2');
    expect($('#org-map')).toBeNull();
  });

  it('shows the map when no walk runs', async () => {
    await audience(cycleRoom(repairCall(1), null, []));
    expect($('#audience')!.getAttribute('data-showing')).toBe('map');
  });

  it('leaves a Ripple round’s game on screen, outside the cycle’s activity', async () => {
    const round = { ...gameRound, started_at: Date.now() } as unknown as GameRoundView;
    await audience(cycleRoom(repairCall(1), walk(2), []), 13, round);
    expect($('#audience')!.getAttribute('data-showing')).toBe('game');
  });
});
