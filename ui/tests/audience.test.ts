import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import Audience from '../src/Audience.svelte';
import { tauriBackend, type AudienceBackend } from '../src/lib/backend';
import type { ProjectorState } from '../src/lib/live';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import audienceHtml from '../audience.html?raw';
import viteConfig from '../vite.config.ts?raw';
import tiny from './fixtures/demo-view.json';
import { agenda, fakeBackend, live, settle } from './fixtures/session';

const view = tiny as WorkshopView;
let app: ReturnType<typeof mount> | undefined;

async function render(backend: AudienceBackend) {
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(Audience, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
}

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  clearMocks();
});

const $ = (selector: string) => document.querySelector(selector);
const key = async (k: string) => {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  await settle(flushSync);
};

describe('the audience window', () => {
  it('shows the workshop, the current activity and the map, and no notes, timer or controls', async () => {
    await render(fakeBackend(live(view, { name: 'Spring cohort' })));
    expect($('#audience')!.textContent).toContain('Spring cohort');
    expect($('#audience-activity')!.textContent).toBe('Who are your customers?');
    expect(document.querySelectorAll('#org-map g.unit').length).toBe(view.map.units.length);
    const text = document.body.textContent!;
    expect(text).not.toContain('Ask the');
    expect(text).not.toContain('Ripple round 1');
    expect($('#activity-timer, #activity-notes, #agenda, button, input')).toBeNull();
    expect($('#org-map [tabindex]')).toBeNull();
    expect($('#org-map [role="button"]')).toBeNull();
    expect($('#results-hidden')).toBeNull();
  });

  it('shows the workshop’s name large before the first activity', async () => {
    await render(fakeBackend(live(view, { name: 'Spring cohort', agenda: { ...agenda, current: null } })));
    expect($('#audience h1')!.textContent).toBe('Spring cohort');
    expect($('#audience-activity')).toBeNull();
    expect(document.body.textContent).not.toContain('Welcome');
  });

  it('goes black when the projector is blanked, and back', async () => {
    let onProjector: (p: ProjectorState) => void = () => {};
    await render(
      fakeBackend(live(view, { projector: { blank: true, revealed: false, hide_attendees: false } }), {
        onProjectorChanged: vi.fn(async (h) => {
          onProjector = h;
          return () => {};
        }),
      }),
    );
    expect($('#blank-screen')).not.toBeNull();
    expect($('#audience')).toBeNull();
    expect(document.body.textContent!.trim()).toBe('');
    onProjector({ blank: false, revealed: false, hide_attendees: false });
    flushSync();
    expect($('#blank-screen')).toBeNull();
    expect($('#audience-activity')).not.toBeNull();
  });

  it('follows the workshop through its events, calling nothing but the three reads', async () => {
    const commands: string[] = [];
    let state = live(view);
    mockIPC(
      (cmd) => {
        commands.push(cmd);
        return cmd === 'current_workshop' ? state : null;
      },
      { shouldMockEvents: true },
    );
    const { emit } = await import('@tauri-apps/api/event');
    await render(tauriBackend);
    expect($('#audience-activity')!.textContent).toBe('Who are your customers?');
    state = live(view, { agenda: { ...agenda, current: 13 }, seq: 8 });
    await emit('workshop-changed', { type: 'agenda_changed', seq: 8, agenda: state.agenda });
    await settle(flushSync);
    expect($('#audience-activity')!.textContent).toBe('Ripple round 1');
    await emit('projector-changed', { blank: true, revealed: false, hide_attendees: false });
    await settle(flushSync);
    expect($('#blank-screen')).not.toBeNull();
    expect(new Set(commands)).toEqual(new Set(['current_workshop', 'participation', 'online_status']));
  });

  it('hands its keys to the presenter window with emitTo', async () => {
    const sent: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'plugin:event|emit_to') sent.push(args);
      if (cmd === 'current_workshop') return live(view);
      return cmd === 'plugin:event|listen' ? 1 : null;
    });
    await render(tauriBackend);
    await key('ArrowRight');
    await key('b');
    await key('x');
    await key('Escape');
    expect(sent).toEqual([
      { target: { kind: 'AnyLabel', label: 'presenter' }, event: 'audience-key', payload: { key: 'ArrowRight' } },
      { target: { kind: 'AnyLabel', label: 'presenter' }, event: 'audience-key', payload: { key: 'b' } },
    ]);
  });

  it('is its own page, titled for the audience, in the build', () => {
    expect(audienceHtml).toContain('<title>Ripple — audience</title>');
    expect(audienceHtml).toContain('/src/audience.ts');
    expect(viteConfig).toContain("audience: 'audience.html'");
  });
});
