import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import App from '../src/App.svelte';
import { tauriBackend, type Backend } from '../src/lib/backend';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import { clock, fakeBackend, live } from './fixtures/session';
import indexHtml from '../index.html?raw';

const evil = '<script>alert(1)</script>';

// finance ──▶ sales ──▶ households; the service to households carries markup.
const view: WorkshopView = {
  id: 3,
  name: 'Tiny & <b>bold</b> workshop',
  map: {
    version: 1,
    name: 'tiny',
    units: [
      { id: 'households', name: 'Households', kind: 'external', weight: 1 },
      { id: 'sales', name: evil, kind: 'frontline', weight: 1 },
      { id: 'finance', name: 'Finance', kind: 'support', weight: 1 },
    ],
    links: [
      {
        provider: 'finance',
        customer: 'sales',
        service: 'Commission paid',
        strength: 0.3,
        lag: 120,
        quality: 'Matches the signed deals',
        time: 'By the 5th',
        delivery: 'Bank transfer',
      },
      {
        provider: 'sales',
        customer: 'households',
        service: `Quotes ${evil}`,
        strength: 0.9,
        lag: 0,
        quality: '',
        time: 'Within two days',
        delivery: '',
      },
    ],
  },
  layout: {
    width: 1600,
    height: 900,
    columns: 3,
    nodes: [
      { id: 'households', column: 2, x: 1490, y: 450 },
      { id: 'sales', column: 1, x: 800, y: 450 },
      { id: 'finance', column: 0, x: 110, y: 450 },
    ],
  },
};

let app: ReturnType<typeof mount> | undefined;

async function render(backend: Backend) {
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend } });
  // Let the list and open calls resolve, then let Svelte draw.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
}

const $ = (selector: string) => document.querySelector(selector);
const details = () => $('#unit-details')!;
const press = (el: Element, key: string) => {
  el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  flushSync();
};

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  clearMocks();
});

const fake = (over: Partial<Backend> = {}): Backend => fakeBackend(live(view), over);

describe('the presenter window', () => {
  it('opens the first workshop of the list through the Tauri commands when none is live', async () => {
    const opened: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'current_workshop') return null;
      if (cmd === 'list_workshops') return [{ id: 3, name: 'newest', updated_at: '', units: 3, links: 2 }, { id: 1 }];
      if (cmd === 'open_workshop') {
        opened.push(args);
        return live(view);
      }
      if (cmd === 'presenter_clock') return clock;
      return null;
    });
    await render(tauriBackend);
    expect(opened).toEqual([{ id: 3 }]);
    expect($('h1')!.textContent).toBe(view.name);
  });

  it('says when a damaged database was set aside and restores the offered backup', async () => {
    const notice = { damaged_path: '/d/ripple.db.damaged', message: 'Ripple could not read its database.', latest_backup: '/d/kept.db' };
    const backend = fake({ recoveryNotice: vi.fn(async () => notice) });
    await render(backend);
    expect($('#recovery')!.textContent).toContain('Ripple could not read its database.');
    ($('#restore-backup') as HTMLButtonElement).click();
    await vi.waitFor(() => {
      flushSync();
      expect($('#recovery')).toBeNull();
    });
    expect(backend.restoreBackup).toHaveBeenCalledTimes(1);
  });

  it('offers no restore when there is no backup, and can be dismissed', async () => {
    const notice = { damaged_path: '/d/x', message: 'No backup.', latest_backup: null };
    await render(fake({ recoveryNotice: vi.fn(async () => notice) }));
    expect($('#restore-backup')).toBeNull();
    ($('#dismiss-recovery') as HTMLButtonElement).click();
    flushSync();
    expect($('#recovery')).toBeNull();
  });

  it('shows the live workshop without opening another', async () => {
    const backend = fake({ currentWorkshop: async () => live(view, { name: 'Running now' }) });
    await render(backend);
    expect($('h1')!.textContent).toBe('Running now');
    expect(backend.openWorkshop).not.toHaveBeenCalled();
    expect(backend.listWorkshops).not.toHaveBeenCalled();
  });

  it('draws every unit and every link with stable selectors', async () => {
    await render(fake());
    const units = [...document.querySelectorAll('#org-map g.unit')];
    expect(units.map((u) => u.getAttribute('data-unit-id')).sort()).toEqual(['finance', 'households', 'sales']);
    const finance = $('[data-unit-id="finance"]')!;
    expect(finance.getAttribute('role')).toBe('button');
    expect(finance.getAttribute('tabindex')).toBe('0');
    expect(finance.getAttribute('aria-label')).toBe('Finance, support');
    const links = [...document.querySelectorAll('#org-map g.link')];
    expect(links.map((l) => `${l.getAttribute('data-provider')}→${l.getAttribute('data-customer')}`).sort()).toEqual([
      'finance→sales',
      'sales→households',
    ]);
    expect(details().querySelector('h2')).toBeNull();
    expect(details().textContent).toContain('Select a unit');
  });

  it('shows the services, customers and providers of the selected unit', async () => {
    await render(fake());
    ($('[data-unit-id="finance"]') as SVGElement).dispatchEvent(new MouseEvent('click', { bubbles: true }));
    flushSync();
    expect(details().querySelector('h2')!.textContent).toBe('Finance');
    const text = details().textContent!;
    expect(text).toContain('Support unit');
    expect(text).toContain('Commission paid');
    expect(text).toContain('strength 0.3');
    expect(text).toContain('felt after 5 days');
    expect(text).toContain('Matches the signed deals');
    expect(text).toContain('Bank transfer');
    expect(text).toContain('What it receives');
    expect(text).not.toContain('Quotes');
    expect($('[data-unit-id="finance"]')!.classList.contains('selected')).toBe(true);
    expect($('g.link[data-provider="finance"]')!.classList.contains('active')).toBe(true);
    expect($('g.link[data-provider="sales"]')!.classList.contains('active')).toBe(false);
  });

  it('selects with Enter or Space and clears with Escape', async () => {
    await render(fake());
    press($('[data-unit-id="households"]')!, 'Enter');
    expect(details().querySelector('h2')!.textContent).toBe('Households');
    press($('[data-unit-id="finance"]')!, ' ');
    expect(details().querySelector('h2')!.textContent).toBe('Finance');
    press(document.body, 'Escape');
    expect(details().querySelector('h2')).toBeNull();
  });

  it('moves to a customer from the panel', async () => {
    await render(fake());
    press($('[data-unit-id="finance"]')!, 'Enter');
    const button = [...details().querySelectorAll('button')].find((b) => b.textContent === evil)!;
    button.click();
    flushSync();
    expect(details().querySelector('h2')!.textContent).toBe(evil);
  });

  it('shows markup in names and services as text', async () => {
    await render(fake());
    press($('[data-unit-id="sales"]')!, 'Enter');
    expect(document.querySelectorAll('script, b')).toHaveLength(0);
    expect(details().querySelector('h2')!.textContent).toBe(evil);
    expect(details().textContent).toContain(`Quotes ${evil}`);
    expect($('[data-unit-id="sales"]')!.getAttribute('aria-label')).toBe(`${evil}, frontline`);
    expect($('[data-unit-id="sales"] text')!.textContent).toContain('<script>');
    expect($('h1')!.textContent).toBe(view.name);
  });

  it('shows the message of a failed call in an alert', async () => {
    await render(
      fake({
        currentWorkshop: () => Promise.reject({ code: 'newer_database', message: 'This database is from a newer Ripple.' }),
      }),
    );
    const error = $('#error')!;
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('This database is from a newer Ripple.');
    expect($('#org-map')).toBeNull();
  });

  it('is titled for the presenter', () => {
    expect(indexHtml).toContain('<title>Ripple — presenter</title>');
  });
});
