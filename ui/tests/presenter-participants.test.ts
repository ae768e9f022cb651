import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import type { Backend } from '../src/lib/backend';
import type { SessionEvent } from '../src/lib/bindings/SessionEvent';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import tiny from './fixtures/demo-view.json';
import { fakeBackend, live, settle } from './fixtures/session';
import { fakeRoom, offlineStatus, onlineStatus, participation, type FakeRoom } from './fixtures/room';

const view = tiny as WorkshopView;
let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
});

const $ = (selector: string) => document.querySelector(selector);
const $$ = (selector: string) => [...document.querySelectorAll(selector)];
const click = async (selector: string | Element) => {
  const el = typeof selector === 'string' ? $(selector) : selector;
  if (!el) throw new Error(`nothing matches ${selector}`);
  (el as HTMLElement).click();
  await settle(flushSync);
};
const key = async (k: string) => {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  await settle(flushSync);
};
const type = (selector: string, value: string) => {
  const el = $(selector) as HTMLInputElement | HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
};

/** The presenter over the fake room, with the Participants tab open. */
async function render(room: FakeRoom, over: Partial<Backend> = {}) {
  const backend = fakeBackend(live(view, { projector: room.state.projector }), { ...room.backend, ...over });
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
  await click('#tab-participants');
  return backend;
}
const roundRow = (round: string) => $(`#rounds li[data-round="${round}"]`)!;

describe('going online', () => {
  it('starts the server on the best address and the default port, then shows where to join', async () => {
    // One LAN address (and loopback): nothing to choose.
    const room = fakeRoom({ online: { ...offlineStatus(), addresses: offlineStatus().addresses.slice(0, 1).concat(offlineStatus().addresses[2]) } });
    const backend = await render(room);
    expect($('#participants-panel')!.hasAttribute('hidden')).toBe(false);
    expect($('#online-address')).toBeNull();
    expect($('#open-kiosk')).toBeNull();
    await click('#go-online');
    expect(backend.goOnline).toHaveBeenCalledWith(null, null);
    expect($('#presenter-join-address')!.textContent).toBe('192.168.1.20:8765');
    expect($('#presenter-join-code')!.textContent).toBe('ABC234');
    expect($('#tab-participants .online-dot')).not.toBeNull();
  });

  it('offers the LAN addresses when there are several, and takes a port', async () => {
    const backend = await render(fakeRoom());
    const options = $$('#online-address option').map((o) => [(o as HTMLOptionElement).value, o.textContent]);
    expect(options).toEqual([
      ['', 'Automatic (best guess)'],
      ['192.168.1.20', '192.168.1.20 — wlan0'],
      ['10.0.0.7', '10.0.0.7 — eth0'],
    ]);
    type('#online-address', '10.0.0.7');
    type('#online-port', ' 9000 ');
    await click('#go-online');
    expect(backend.goOnline).toHaveBeenCalledWith('10.0.0.7', 9000);
    expect($('#presenter-join-address')!.textContent).toBe('10.0.0.7:9000');
  });

  it('refuses a port that is not a port without calling the core', async () => {
    const backend = await render(fakeRoom());
    for (const bad of ['abc', '70000', '0', '80.5']) {
      type('#online-port', bad);
      await click('#go-online');
      expect($('#participants-error')!.textContent).toMatch(/port/i);
    }
    expect(backend.goOnline).not.toHaveBeenCalled();
  });

  it('shows the message of a failed call as text', async () => {
    await render(fakeRoom(), {
      goOnline: vi.fn(async () => Promise.reject({ code: 'address_in_use', message: 'Port 8765 is in use by <b>another</b> program.' })),
    });
    await click('#go-online');
    const error = $('#participants-error')!;
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Port 8765 is in use by <b>another</b> program.');
    expect(error.querySelector('b')).toBeNull();
    expect($('#online-status')).toBeNull();
  });

  it('goes offline, and opens the kiosk only while online', async () => {
    const room = fakeRoom({ online: onlineStatus() });
    const backend = await render(room);
    await click('#open-kiosk');
    expect(backend.openKiosk).toHaveBeenCalledTimes(1);
    await click('#go-offline');
    expect(backend.goOffline).toHaveBeenCalledTimes(1);
    expect($('#online-status')).toBeNull();
    expect($('#go-online')).not.toBeNull();
    expect($('#tab-participants .online-dot')).toBeNull();
  });

  it('follows the server going online or offline elsewhere (the menu, a crash)', async () => {
    const room = fakeRoom();
    await render(room);
    room.fireOnline(onlineStatus());
    flushSync();
    expect($('#presenter-join-code')!.textContent).toBe('ABC234');
    room.fireOnline(offlineStatus());
    flushSync();
    expect($('#presenter-join-code')).toBeNull();
  });
});

describe('the rounds', () => {
  it('opens and closes a round with the session command, and shows its state', async () => {
    const room = fakeRoom();
    room.state.participation!.rounds = { self_assessment: false, thanks: false };
    const backend = await render(room);
    expect(roundRow('self_assessment').querySelector('.state')!.textContent).toBe('Closed');
    await click(roundRow('self_assessment').querySelector('.open-round')!);
    expect(backend.apply).toHaveBeenCalledWith({ type: 'open_round', round: 'self_assessment' });
    expect(roundRow('self_assessment').querySelector('.state')!.textContent).toBe('Open');
    expect(roundRow('thanks').querySelector('.state')!.textContent).toBe('Closed');
    await click(roundRow('self_assessment').querySelector('.close-round')!);
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'close_round', round: 'self_assessment' });
    expect(roundRow('self_assessment').querySelector('.state')!.textContent).toBe('Closed');
    await click(roundRow('thanks').querySelector('.open-round')!);
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'open_round', round: 'thanks' });
  });

  it('asks before a reset deletes the round’s answers, and resets only when confirmed', async () => {
    const room = fakeRoom();
    const backend = await render(room);
    await click(roundRow('thanks').querySelector('.reset-round')!);
    const dialog = $('#confirm-reset')!;
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain('Reset the thanks round?');
    expect(dialog.textContent).toContain('cannot be undone');
    expect(backend.apply).not.toHaveBeenCalled();
    await click('#cancel-reset');
    expect($('#confirm-reset')).toBeNull();
    expect(backend.apply).not.toHaveBeenCalled();

    await click(roundRow('thanks').querySelector('.reset-round')!);
    await click('#confirm-reset-button');
    expect(backend.apply).toHaveBeenCalledTimes(1);
    expect(backend.apply).toHaveBeenCalledWith({ type: 'reset_round', round: 'thanks' });
    expect($('#room-count')!.textContent).toContain('0 thank-yous');
  });

  it('closes the reset question with Escape, and the presenter keys wait meanwhile', async () => {
    const backend = await render(fakeRoom());
    await click(roundRow('self_assessment').querySelector('.reset-round')!);
    await key('ArrowRight');
    expect(backend.apply).not.toHaveBeenCalled();
    await key('Escape');
    expect($('#confirm-reset')).toBeNull();
    expect(backend.apply).not.toHaveBeenCalled();
    // The Participants tab stays open.
    expect($('#participants-panel')!.hasAttribute('hidden')).toBe(false);
  });

  it('shows the attendee count and follows it as people join', async () => {
    const room = fakeRoom();
    await render(room);
    expect($('#attendee-count')!.textContent).toBe('73');
    expect($('#room-count')!.textContent).toContain('68 ratings');
    room.fireParticipation({ ...participation({ attendees: 80 }), seq: 41 });
    flushSync();
    expect($('#attendee-count')!.textContent).toBe('80');
  });

  it('does not reload the workshop for every answer', async () => {
    let changed: (e: SessionEvent) => void = () => {};
    const backend = await render(fakeRoom(), {
      onWorkshopChanged: vi.fn(async (h) => {
        changed = h;
        return () => {};
      }),
    });
    const before = vi.mocked(backend.currentWorkshop).mock.calls.length;
    changed({ type: 'answers_changed', seq: 50, receipt: { submission: 'abcdefgh', participant: 1, question: 'customers' } });
    changed({ type: 'participant_joined', seq: 51, participant: { id: 2, name: null, unit: 'it', manager: false }, attendees: 74 });
    await settle(flushSync);
    expect(vi.mocked(backend.currentWorkshop).mock.calls.length).toBe(before);
    changed({ type: 'renamed', seq: 52, name: 'New name' });
    await settle(flushSync);
    expect(vi.mocked(backend.currentWorkshop).mock.calls.length).toBe(before + 1);
  });
});

describe('customers the room added', () => {
  it('lists them with how often they were named, and adds one to the map as the trainer chooses', async () => {
    const room = fakeRoom({
      participation: participation({
        proposed: [
          { name: 'Night shift', mentions: 3 },
          { name: '<b>Contractors</b>', mentions: 1 },
        ],
      }),
    });
    const backend = await render(room);
    const rows = () => $$('#proposed li');
    expect(rows().map((li) => li.querySelector('strong')!.textContent)).toEqual(['Night shift', '<b>Contractors</b>']);
    expect($('#proposed b')).toBeNull();
    expect(rows()[0].textContent).toContain('named 3×');
    await click(rows()[0].querySelector('.accept-frontline')!);
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'accept_proposed_unit', name: 'Night shift', kind: 'frontline' });
    expect(rows().map((li) => li.getAttribute('data-proposed'))).toEqual(['<b>Contractors</b>']);
    await click(rows()[0].querySelector('.accept-support')!);
    expect(backend.apply).toHaveBeenLastCalledWith({ type: 'accept_proposed_unit', name: '<b>Contractors</b>', kind: 'support' });
    expect($('#proposed')).toBeNull();
  });

  it('offers kiosk mode while offline, for a room without a network', async () => {
    const backend = await render(fakeRoom());
    await click('#open-kiosk-offline');
    expect(backend.openKiosk).toHaveBeenCalledTimes(1);
  });
});

describe('the projector controls', () => {
  it('reveals and hides the results', async () => {
    const room = fakeRoom();
    const backend = await render(room);
    expect($('#reveal-results')!.textContent!.trim()).toBe('Reveal results');
    await click('#reveal-results');
    expect(backend.setProjector).toHaveBeenCalledWith({ revealed: true });
    expect($('#reveal-results')!.textContent!.trim()).toBe('Hide results');
    // The toolbar's toggle says the same.
    expect($('#reveal-toggle')!.getAttribute('aria-pressed')).toBe('true');
    await click('#reveal-results');
    expect(backend.setProjector).toHaveBeenLastCalledWith({ revealed: false });
    expect($('#reveal-results')!.textContent!.trim()).toBe('Reveal results');
  });

  it('keeps the attendee count off the projector and puts it back', async () => {
    const room = fakeRoom();
    const backend = await render(room);
    const toggle = $('#attendees-toggle')!;
    expect(toggle.textContent).toContain('Show attendee count on projector');
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    await click(toggle);
    expect(backend.setProjector).toHaveBeenCalledWith({ hide_attendees: true });
    expect($('#attendees-toggle')!.getAttribute('aria-pressed')).toBe('false');
    expect(room.state.projector.hide_attendees).toBe(true);
    await click('#attendees-toggle');
    expect(backend.setProjector).toHaveBeenLastCalledWith({ hide_attendees: false });
  });
});
