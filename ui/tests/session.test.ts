import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import AgendaPanel from '../src/components/AgendaPanel.svelte';
import type { AudienceKey, Backend } from '../src/lib/backend';
import { clockTime, keyAction, mmss } from '../src/lib/live';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import tiny from './fixtures/demo-view.json';
import { agenda, clock, fakeBackend, live, nine, settle } from './fixtures/session';

const view = tiny as WorkshopView;
let app: ReturnType<typeof mount> | undefined;

async function render(backend: Backend) {
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
}

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
});

const $ = (selector: string) => document.querySelector(selector);
const click = async (selector: string | Element) => {
  const el = typeof selector === 'string' ? $(selector) : selector;
  if (!el) throw new Error(`nothing matches ${selector}`);
  (el as HTMLElement).click();
  await settle(flushSync);
};
const key = async (k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
  await settle(flushSync);
};

const workshops = [
  { id: 3, name: 'Spring <i>cohort</i>', updated_at: '', units: 18, links: 30 },
  { id: 4, name: 'Autumn cohort', updated_at: '', units: 18, links: 30 },
];

describe('the workshops panel', () => {
  const withList = (over: Partial<Backend> = {}) =>
    fakeBackend(live(view, { id: 3, name: workshops[0].name }), { listWorkshops: vi.fn(async () => workshops), ...over });

  it('lists the workshops and opens the one clicked', async () => {
    const backend = withList();
    await render(backend);
    expect($('#workshops')).toBeNull();
    await click('#workshops-button');
    const dialog = $('#workshops')!;
    expect(dialog.getAttribute('role')).toBe('dialog');
    const rows = [...dialog.querySelectorAll('[data-workshop-id]')];
    expect(rows.map((r) => r.getAttribute('data-workshop-id'))).toEqual(['3', '4']);
    expect(rows[0].textContent).toContain('Spring <i>cohort</i>');
    expect(dialog.querySelector('i')).toBeNull();
    await click(rows[1]);
    expect(backend.openWorkshop).toHaveBeenCalledWith(4);
    expect($('#workshops')).toBeNull();
  });

  it('creates a workshop from the demo and opens it', async () => {
    const backend = withList();
    await render(backend);
    await click('#workshops-button');
    await click('#new-workshop');
    expect(backend.createWorkshop).toHaveBeenCalledWith('demo', null);
    expect(backend.openWorkshop).toHaveBeenCalledWith(99);
  });

  it('creates a workshop from a shipped template picked in the list', async () => {
    const backend = withList();
    await render(backend);
    await click('#workshops-button');
    const picker = $('#new-from') as HTMLSelectElement;
    expect([...picker.options].map((o) => o.value)).toEqual(['demo', 'hospital']);
    expect(picker.labels?.[0]?.textContent).toContain('Start a new workshop from');
    picker.options[1].selected = true;
    picker.dispatchEvent(new Event('change', { bubbles: true }));
    await click('#new-workshop');
    expect(backend.createWorkshop).toHaveBeenCalledWith('hospital', null);
  });

  it('renames inline and duplicates', async () => {
    const backend = withList();
    await render(backend);
    await click('#workshops-button');
    await click('[data-workshop-id="4"] .rename');
    const input = $('[data-workshop-id="4"] input') as HTMLInputElement;
    expect(input.value).toBe('Autumn cohort');
    input.value = 'Autumn, second group';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await key('Enter', input);
    expect(backend.renameWorkshop).toHaveBeenCalledWith(4, 'Autumn, second group');
    expect(backend.openWorkshop).not.toHaveBeenCalled();
    await click('[data-workshop-id="3"] .duplicate');
    expect(backend.duplicateWorkshop).toHaveBeenCalledWith(3, null);
  });

  it('deletes only after a confirmation that names the workshop', async () => {
    const backend = withList();
    await render(backend);
    await click('#workshops-button');
    await click('[data-workshop-id="4"] .delete');
    expect($('[role="alertdialog"]')!.textContent).toContain('Delete “Autumn cohort”?');
    await click('#cancel-delete');
    expect($('#confirm-delete')).toBeNull();
    expect(backend.deleteWorkshop).not.toHaveBeenCalled();
    await click('[data-workshop-id="4"] .delete');
    await key('Escape');
    expect($('#confirm-delete')).toBeNull();
    expect($('#workshops')).not.toBeNull();
    expect(backend.deleteWorkshop).not.toHaveBeenCalled();
    await click('[data-workshop-id="4"] .delete');
    await click('#confirm-delete');
    expect(backend.deleteWorkshop).toHaveBeenCalledWith(4);
    expect(backend.deleteWorkshop).toHaveBeenCalledTimes(1);
  });

  it('shows a refusal without leaving the workshop', async () => {
    const backend = withList({
      duplicateWorkshop: vi.fn(() => Promise.reject({ code: 'storage', message: 'The disk is full.' })),
    });
    await render(backend);
    await click('#workshops-button');
    await click('[data-workshop-id="3"] .duplicate');
    expect($('#action-error')!.getAttribute('role')).toBe('alert');
    expect($('#action-error')!.textContent).toContain('The disk is full.');
    expect($('#org-map')).not.toBeNull();
  });
});

describe('the agenda panel', () => {
  function renderPanel(props: Partial<{ clock: typeof clock | null }> = {}) {
    document.body.innerHTML = '<div id="app"></div>';
    const ongo = vi.fn();
    const onnext = vi.fn();
    app = mount(AgendaPanel, {
      target: document.getElementById('app')!,
      props: { agenda, clock, ongo, onnext, ...props },
    });
    flushSync();
    return { ongo, onnext };
  }

  it('shows the current activity, its timer against the plan, its notes and what is next', () => {
    renderPanel();
    expect($('#current-activity h2')!.textContent).toBe('Who are your customers?');
    expect($('#current-activity')!.textContent).toContain('2 of 3');
    const timer = $('#activity-timer')!.textContent!.replace(/\s+/g, ' ');
    expect(timer).toContain('17:30 of 15:00');
    expect(timer).toContain('Over by 02:30');
    expect($('#current-activity')!.classList.contains('over')).toBe(true);
    expect($('#activity-notes')!.textContent).toContain('Ask the <b>room</b> first.');
    expect($('#activity-notes b')).toBeNull();
    expect($('#next-activity')!.textContent).toContain('Ripple round 1');
    expect($('#next-activity')!.textContent).toContain('20 min');
  });

  it('says how much is left while on time', () => {
    renderPanel({
      clock: { ...clock, current: { ...clock.current!, elapsed_ms: 5 * 60_000, overrun_ms: 0 } },
    });
    const timer = $('#activity-timer')!.textContent!;
    expect(timer).toContain('05:00');
    expect(timer).toContain('10:00 left');
    expect(timer).not.toContain('Over');
    expect($('#current-activity')!.classList.contains('over')).toBe(false);
  });

  it('lists the schedule with re-flowed start times and each activity’s state in words', () => {
    const { ongo } = renderPanel();
    const rows = [...document.querySelectorAll('#schedule li')];
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['done', 'current', 'upcoming']);
    expect(rows[0].textContent).toContain('09:00');
    expect(rows[0].textContent).toContain('Done');
    expect(rows[1].textContent).toContain('09:12');
    expect(rows[1].textContent).toContain('Now');
    expect(rows[2].textContent).toContain(clockTime(nine + 29.5 * 60_000));
    expect($('#agenda')!.textContent).toContain('5 min late');
    (rows[2].querySelector('button') as HTMLButtonElement).click();
    expect(ongo).toHaveBeenCalledWith(13);
  });

  it('offers to start before the first activity', () => {
    const { onnext } = renderPanel({ clock: { ...clock, current: null, next: agenda.activities[0] } });
    expect($('#current-activity')!.textContent).toContain('Not started');
    ($('#current-activity button') as HTMLButtonElement).click();
    expect(onnext).toHaveBeenCalled();
  });

  it('words times as a timer and a clock does', () => {
    expect(mmss(0)).toBe('00:00');
    expect(mmss(61_999)).toBe('01:01');
    expect(mmss(-5000)).toBe('00:00');
    expect(mmss(3_725_000)).toBe('1:02:05');
    expect(clockTime(nine)).toBe('09:00');
  });
});

describe('the presenter keys', () => {
  it('maps keys like presentation software', () => {
    expect(['ArrowRight', ' ', 'PageDown'].map((k) => keyAction({ key: k }))).toEqual(['next', 'next', 'next']);
    expect(['ArrowLeft', 'PageUp'].map((k) => keyAction({ key: k }))).toEqual(['previous', 'previous']);
    expect(['b', 'B', 'f', 'r', '?'].map((k) => keyAction({ key: k }))).toEqual(['blank', 'blank', 'fullscreen', 'reveal', 'help']);
    expect(keyAction({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(keyAction({ key: 'z', metaKey: true })).toBe('undo');
    expect(keyAction({ key: 'z' })).toBeNull();
    expect(keyAction({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(keyAction({ key: 'y', ctrlKey: true })).toBe('redo');
    expect(['e', 'E'].map((k) => keyAction({ key: k }))).toEqual(['edit', 'edit']);
    expect(keyAction({ key: 'b', ctrlKey: true })).toBeNull();
    expect(keyAction({ key: 'x' })).toBeNull();
  });

  it('steps through the agenda and undoes', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    await key('ArrowRight');
    await key(' ');
    await key('PageDown');
    await key('ArrowLeft');
    await key('z', document.body, { ctrlKey: true });
    expect(vi.mocked(backend.apply).mock.calls.map(([c]) => c)).toEqual([
      { type: 'next_activity' },
      { type: 'next_activity' },
      { type: 'next_activity' },
      { type: 'previous_activity' },
      { type: 'undo' },
    ]);
    expect(vi.mocked(backend.presenterClock).mock.calls.length).toBeGreaterThanOrEqual(6);
  });

  it('blanks and unblanks the projector with B and shows the state on the toggle', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    expect($('#blank-toggle')!.getAttribute('aria-pressed')).toBe('false');
    await key('b');
    expect(backend.setProjector).toHaveBeenLastCalledWith({ blank: true });
    expect($('#blank-toggle')!.getAttribute('aria-pressed')).toBe('true');
    expect($('#blank-toggle')!.textContent).toContain('Projector blanked');
    await key('B');
    expect(backend.setProjector).toHaveBeenLastCalledWith({ blank: false });
    await key('r');
    expect(backend.setProjector).toHaveBeenLastCalledWith({ revealed: true });
    expect($('#reveal-toggle')!.textContent).toContain('Results shown');
  });

  it('ignores the keys while typing', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    const input = document.createElement('input');
    document.body.append(input);
    for (const k of ['ArrowRight', ' ', 'b', 'r', '?']) await key(k, input);
    expect(backend.apply).not.toHaveBeenCalled();
    expect(backend.setProjector).not.toHaveBeenCalled();
    expect($('#help')).toBeNull();
    input.remove();
  });

  it('opens and closes the help with ? and Escape', async () => {
    await render(fakeBackend(live(view)));
    await key('?');
    const help = $('#help')!;
    expect(help.getAttribute('role')).toBe('dialog');
    for (const word of ['Next activity', 'Blank', 'Reveal', 'Fullscreen', 'Undo']) expect(help.textContent).toContain(word);
    await key('Escape');
    expect($('#help')).toBeNull();
    await key('?');
    await key('?');
    expect($('#help')).toBeNull();
  });

  it('steps with the buttons too', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    await click('#next-button');
    await click('#previous-button');
    await click('#undo');
    expect(vi.mocked(backend.apply).mock.calls.map(([c]) => c.type)).toEqual(['next_activity', 'previous_activity', 'undo']);
  });

  it('fullscreens with F', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    await key('f');
    expect(backend.toggleFullscreen).toHaveBeenCalledTimes(1);
  });

  it('handles keys pressed in the audience window as its own', async () => {
    let forward: (k: AudienceKey) => void = () => {};
    const backend = fakeBackend(live(view), {
      onAudienceKey: vi.fn(async (h) => {
        forward = h;
        return () => {};
      }),
    });
    await render(backend);
    forward({ key: 'ArrowRight' });
    forward({ key: 'b' });
    await settle(flushSync);
    expect(backend.apply).toHaveBeenCalledWith({ type: 'next_activity' });
    expect(backend.setProjector).toHaveBeenCalledWith({ blank: true });
  });

  it('opens the audience window on the display the trainer picks', async () => {
    const backend = fakeBackend(live(view), {
      listDisplays: vi.fn(async () => [
        { index: 0, name: 'Built-in', width: 1280, height: 800, primary: true },
        { index: 1, name: 'Projector', width: 1920, height: 1080, primary: false },
      ]),
    });
    await render(backend);
    await click('#open-audience');
    expect(backend.openAudience).not.toHaveBeenCalled();
    await click('[data-display-index="1"]');
    expect(backend.openAudience).toHaveBeenCalledWith(1);
    expect($('#open-audience')).toBeNull();
    await click('#close-audience');
    expect(backend.closeAudience).toHaveBeenCalled();
  });

  it('opens it on the only display without asking', async () => {
    const backend = fakeBackend(live(view));
    await render(backend);
    await click('#open-audience');
    expect($('#display-picker')).toBeNull();
    expect(backend.openAudience).toHaveBeenCalledWith(0);
  });
});
