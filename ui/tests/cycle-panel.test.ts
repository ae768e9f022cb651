import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import CyclePanel from '../src/components/CyclePanel.svelte';
import type { Backend } from '../src/lib/backend';
import type { Cycle } from '../src/lib/bindings/Cycle';
import type { CycleRoom } from '../src/lib/bindings/CycleRoom';
import type { OrgMap } from '../src/lib/bindings/OrgMap';
import type { SessionCommand } from '../src/lib/bindings/SessionCommand';
import type { SessionEvent } from '../src/lib/bindings/SessionEvent';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import demo from './fixtures/demo-view.json';
import { cycleRoom, noCycles, proposals, repairCall, templates } from './fixtures/cycle.mjs';
import { fakeBackend, live, settle } from './fixtures/session';
import { participation } from './fixtures/room';
import { reactive } from './fixtures/reactive.svelte';

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
const click = async (selector: string | Element) => {
  const el = typeof selector === 'string' ? $(selector) : selector;
  if (!el) throw new Error(`nothing matches ${selector}`);
  (el as HTMLElement).click();
  await settle(flushSync);
};
const type = (el: Element | null, value: string) => {
  if (!el) throw new Error('no field');
  const f = el as HTMLInputElement | HTMLSelectElement;
  f.value = value;
  // Svelte reads a bound select's :checked option, which happy-dom sets only this way.
  if (f instanceof HTMLSelectElement) for (const o of f.options) o.selected = o.value === value;
  f.dispatchEvent(new Event(f instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
};

/** The event the core answers a cycle command with. */
const changed = (cycles: Cycle[]): SessionEvent => ({ type: 'cycles_changed', seq: 9, cycles, walk: null });

type Apply = (c: SessionCommand) => Promise<SessionEvent>;

async function render({ cycles = [repairCall(1)], room = noCycles() as CycleRoom, apply }: { cycles?: Cycle[]; room?: CycleRoom; apply?: Apply } = {}) {
  const sent: SessionCommand[] = [];
  const backend = {
    apply: vi.fn(async (c: SessionCommand) => {
      sent.push(c);
      return apply ? apply(c) : changed(cycles);
    }),
    cycleTemplates: vi.fn(async () => templates()),
  } satisfies Pick<Backend, 'apply' | 'cycleTemplates'>;
  const onevent = vi.fn();
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(CyclePanel, { target: document.getElementById('app')!, props: { backend, map, cycles, room, onevent } });
  await settle(flushSync);
  return { sent, backend, onevent };
}

const walking = (stage: number, needs_shown = false, findings_shown = false) =>
  cycleRoom(repairCall(1), { cycle: 1, stage, needs_shown, findings_shown }, proposals(1, 3));

describe('the Cycle tab: cycles and templates', () => {
  it('lists the cycles and starts one from a template card', async () => {
    const added = repairCall(2);
    const { sent, onevent } = await render({ apply: async () => changed([repairCall(1), added]) });
    expect($('#cycle-list [data-cycle="1"]')!.textContent).toContain('A repair call');
    expect($('#cycle-list [data-cycle="1"]')!.textContent).toContain('for Households · 5 stages');
    expect($('#cycle-templates')).toBeNull();
    await click('#show-templates');
    expect($$('#cycle-templates .template').length).toBe(5);
    const card = $('[data-template="hospital-visit"]')!;
    expect(card.textContent).toContain('6 stages');
    await click(card.querySelector('.use-template')!);
    expect(sent).toEqual([{ type: 'add_cycle_from_template', template: 'hospital-visit' }]);
    expect(onevent).toHaveBeenCalledWith(expect.objectContaining({ type: 'cycles_changed' }));
    // The cards close once the cycle is there.
    expect($('#cycle-templates')).toBeNull();
  });

  it('saves an edited cycle as the core’s save_cycle, a need without a provider as null', async () => {
    const { sent } = await render();
    await click('[data-cycle="1"] .edit-cycle');
    type($('[name="cycle-name"]'), 'A boiler repair');
    const third = '[data-stage-index="2"]';
    type($(`${third} [name="title"]`), 'The visit');
    await click(`${third} .add-need`);
    const need = $(`${third} [data-need-index="4"]`)!;
    type(need.querySelector('[name="what"]'), 'The customer’s photos');
    type(need.querySelector('[name="provider"]'), 'customer-service');
    type(need.querySelector('[name="provider"]'), '');
    type(need.querySelector('[name="category"]'), 'delivery');
    await click('#save-cycle');
    expect(sent.length).toBe(1);
    const cmd = sent[0] as Extract<SessionCommand, { type: 'save_cycle' }>;
    expect(cmd.type).toBe('save_cycle');
    expect(cmd.cycle.id).toBe(1);
    expect(cmd.cycle.name).toBe('A boiler repair');
    expect(cmd.cycle.stages[2].title).toBe('The visit');
    expect(cmd.cycle.stages[2].needs[4]).toEqual({ provider: null, customer: 'field-engineers', what: 'The customer’s photos', category: 'delivery', standard: '' });
    // The other stages go as they were.
    expect(cmd.cycle.stages[0]).toEqual(repairCall(1).stages[0]);
    expect($('#cycle-saved')).not.toBeNull();
  });

  it('adds, moves and deletes stages', async () => {
    const { sent } = await render();
    await click('[data-cycle="1"] .edit-cycle');
    await click('#add-stage');
    const added = $('[data-stage-index="5"]')!;
    type(added.querySelector('[name="title"]'), 'Renewal');
    await click('[data-stage-index="5"] .move-up');
    await click('[data-stage-index="0"] .remove-stage');
    await click('#save-cycle');
    const cycle = (sent[0] as Extract<SessionCommand, { type: 'save_cycle' }>).cycle;
    expect(cycle.stages.map((s) => s.title)).toEqual(['Booking the visit', 'The repair', 'The invoice', 'Renewal', 'Quarterly satisfaction follow-up']);
    // A new stage: numbered by the core, in the last stage's phase.
    expect(cycle.stages[3]).toMatchObject({ id: 0, phase: 'after_service' });
  });

  it('shows the core’s refusal as text and keeps the draft', async () => {
    const message = "stage 2 ('<b>Booking</b>'): title: must not be empty";
    await render({ apply: async () => Promise.reject({ code: 'invalid_cycle', message }) });
    await click('[data-cycle="1"] .edit-cycle');
    type($('[data-stage-index="1"] [name="title"]'), '');
    await click('#save-cycle');
    expect($('#cycle-save-error')!.textContent).toBe(message);
    expect($('#cycle-saved')).toBeNull();
    expect($('#cycle-save-error b')).toBeNull();
    expect(($('[data-stage-index="1"] [name="title"]') as HTMLInputElement).value).toBe('');
    // The stage it names is open to fix.
    expect(($('[data-stage-index="1"] details') as HTMLDetailsElement).open).toBe(true);
  });

  it('creates a new cycle with id 0', async () => {
    const { sent } = await render({ cycles: [] });
    expect($('#walkthrough')!.textContent).toContain('No cycle yet');
    await click('#new-cycle');
    type($('[name="cycle-name"]'), 'Onboarding');
    await click('#save-cycle');
    expect(sent[0]).toMatchObject({ type: 'save_cycle', cycle: { id: 0, name: 'Onboarding', customer: 'households' } });
  });

  it('deletes a cycle only once the trainer confirms', async () => {
    const { sent } = await render();
    await click('[data-cycle="1"] .edit-cycle');
    await click('#delete-cycle');
    expect($('#confirm-delete-cycle')!.textContent).toContain('Delete “A repair call”?');
    await click('#cancel-delete-cycle');
    expect($('#confirm-delete-cycle')).toBeNull();
    expect(sent).toEqual([]);
    await click('#delete-cycle');
    await click('#confirm-delete-cycle-button');
    expect(sent).toEqual([{ type: 'delete_cycle', id: 1 }]);
  });
});

describe('the editor and changes made elsewhere', () => {
  it('follows the cycle when a need is accepted, unless the trainer is editing', async () => {
    const backend = { apply: vi.fn(async () => changed([])), cycleTemplates: vi.fn(async () => []) };
    const props = reactive({ backend, map, cycles: [repairCall(1)], room: noCycles() as CycleRoom, onevent: vi.fn() });
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(CyclePanel, { target: document.getElementById('app')!, props });
    await settle(flushSync);
    await click('[data-cycle="1"] .edit-cycle');
    const accepted = (n: number) => {
      const c = repairCall(1);
      for (let i = 0; i < n; i++) c.stages[2].needs.push({ provider: 'dispatch', customer: 'field-engineers', what: `Accepted ${i + 1}`, category: 'time', standard: '' });
      return c;
    };
    props.cycles = [accepted(1)];
    flushSync();
    expect($$('[data-stage-index="2"] .need').length).toBe(5);
    // Mid-edit, the draft stays as the trainer has it.
    type($('[name="cycle-name"]'), 'Mine');
    props.cycles = [accepted(2)];
    flushSync();
    expect($$('[data-stage-index="2"] .need').length).toBe(5);
    expect(($('[name="cycle-name"]') as HTMLInputElement).value).toBe('Mine');
  });
});

describe('the Cycle tab: the walkthrough', () => {
  it('starts the chosen cycle on the projector', async () => {
    const { sent } = await render({ cycles: [repairCall(1), { ...repairCall(2), name: 'Second' }] });
    type($('#walk-cycle'), '2');
    await click('#start-walk');
    expect(sent).toEqual([{ type: 'walk_cycle', cycle: 2 }]);
  });

  it('steps, jumps to a stage and ends; says which stage is on screen', async () => {
    const { sent } = await render({ room: walking(3) });
    expect($('#walkthrough')!.textContent).toContain('Stage 3 of 5 · the moment of truth');
    expect($('#stage-on-screen')!.textContent).toContain('The repair');
    expect($('#walk-stages [aria-current="step"]')!.getAttribute('data-stage-id')).toBe('3');
    await click('#cycle-next');
    await click('#cycle-back');
    await click('#walk-stages [data-stage-id="2"]');
    await click('#cycle-end');
    expect(sent).toEqual([
      { type: 'step_cycle', forward: true },
      { type: 'step_cycle', forward: false },
      { type: 'walk_cycle', cycle: 1, stage: 2 },
      { type: 'walk_cycle', cycle: null },
    ]);
  });

  it('cannot step back from the first moment of truth nor on from the findings', async () => {
    await render({ room: walking(1) });
    expect(($('#cycle-back') as HTMLButtonElement).disabled).toBe(true);
    unmount(app!);
    await render({ room: walking(5, true, true) });
    expect(($('#cycle-next') as HTMLButtonElement).disabled).toBe(true);
    expect($('#walkthrough')!.textContent).toContain('The findings');
    expect($('#findings-summary')!.textContent).toContain('1 need nobody delivers');
  });

  it('lists the room’s needs at the stage by votes, and sends the trainer’s decisions', async () => {
    const { sent } = await render({ room: walking(3, true) });
    expect($$('#proposals > li').map((li) => li.getAttribute('data-proposal'))).toEqual(['1', '2', '3', '5']);
    const open = $('[data-proposal="3"]')!;
    expect(open.textContent).toContain('3 votes');
    expect(open.textContent).toContain('nobody yet → Customer Service');
    expect($('[data-proposal="2"] .accept')).toBeNull();
    await click(open.querySelector('.accept')!);
    await click($('[data-proposal="1"] .discard')!);
    await click($('[data-proposal="5"] .reopen')!);
    await click($('[data-proposal="3"] .merge')!);
    type($('[data-proposal="3"] .merge-target'), '2');
    await click($('[data-proposal="3"] .confirm-merge')!);
    expect(sent).toEqual([
      { type: 'decide_need', proposal: 3, decision: { decision: 'accept' } },
      { type: 'decide_need', proposal: 1, decision: { decision: 'discard' } },
      { type: 'decide_need', proposal: 5, decision: { decision: 'reopen' } },
      { type: 'decide_need', proposal: 3, decision: { decision: 'merge', into: 2 } },
    ]);
  });

  it('shows a refused step in the core’s words', async () => {
    await render({ room: walking(3), apply: async () => Promise.reject({ code: 'no_walkthrough', message: 'no Engagement Cycle is being walked through' }) });
    await click('#cycle-next');
    expect($('#cycle-error')!.textContent).toBe('no Engagement Cycle is being walked through');
  });
});

describe('the presenter’s keys in the Cycle tab', () => {
  async function presenter(room: CycleRoom) {
    const p = { ...participation(), cycles: room };
    const backend = fakeBackend(live(view, { cycles: [repairCall(1)] }), {
      participation: vi.fn(async () => p),
      cycleTemplates: vi.fn(async () => []),
    });
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(App, { target: document.getElementById('app')!, props: { backend } });
    await settle(flushSync);
    return backend;
  }
  const key = async (k: string, target: EventTarget = document.body) => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    await settle(flushSync);
  };

  it('step the walkthrough while the tab is open, and the agenda otherwise', async () => {
    const backend = await presenter(walking(2));
    await key('ArrowRight');
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'next_activity' });
    await click('#tab-cycle');
    await key('ArrowRight');
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'step_cycle', forward: true });
    await key('ArrowLeft');
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'step_cycle', forward: false });
    // Not while typing in a field.
    const calls = vi.mocked(backend.apply).mock.calls.length;
    await click('#walk-stages [data-stage-id="1"]');
    expect(vi.mocked(backend.apply).mock.calls.length).toBe(calls + 1);
  });

  it('leave the agenda’s keys alone when no walk runs', async () => {
    const backend = await presenter(noCycles());
    await click('#tab-cycle');
    await key('ArrowRight');
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'next_activity' });
  });

  it('do nothing while typing in the editor', async () => {
    const backend = await presenter(walking(2));
    await click('#tab-cycle');
    await click('[data-cycle="1"] .edit-cycle');
    await key('ArrowRight', $('[name="cycle-name"]')!);
    expect(backend.apply).not.toHaveBeenCalled();
  });
});
