import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import Audience from '../src/Audience.svelte';
import type { AudienceKey, Backend } from '../src/lib/backend';
import type { OrgMap } from '../src/lib/bindings/OrgMap';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import { keyAction } from '../src/lib/live';
import { deletionWords, linkProblems, mapSummary, newLinkDraft, parseNumber, slugify, uniqueId } from '../src/lib/mapedit';
import { fakeMap, settle, simpleLayout } from './fixtures/session';
import { participation } from './fixtures/room';

const bold = '<b>x</b>';

// finance ──▶ sales ──▶ households, finance ──▶ hr; hr's name carries markup.
const tinyMap: OrgMap = {
  version: 1,
  name: 'tiny',
  units: [
    { id: 'households', name: 'Households', kind: 'external', weight: 1 },
    { id: 'sales', name: 'Sales', kind: 'frontline', weight: 1 },
    { id: 'finance', name: 'Finance', kind: 'support', weight: 1 },
    { id: 'hr', name: bold, kind: 'support', weight: 1 },
  ],
  links: [
    { provider: 'finance', customer: 'sales', service: 'Commission paid', strength: 0.3, lag: 120, quality: '', time: 'By the 5th', delivery: '' },
    { provider: 'sales', customer: 'households', service: 'Quotes', strength: 0.9, lag: 0, quality: '', time: '', delivery: '' },
    { provider: 'finance', customer: 'hr', service: 'Payroll figures', strength: 0.6, lag: 24, quality: 'Correct', time: '', delivery: 'Spreadsheet' },
  ],
};
const view: WorkshopView = { id: 3, name: 'Editing day', map: tinyMap, layout: simpleLayout(tinyMap) };

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
const key = async (k: string, init: KeyboardEventInit = {}, target: EventTarget = document.body) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
  await settle(flushSync);
};
const type = (selector: string | Element, value: string) => {
  const el = (typeof selector === 'string' ? $(selector) : selector) as HTMLInputElement | HTMLSelectElement | null;
  if (!el) throw new Error(`nothing matches ${selector}`);
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
};
const submit = async (form: string | Element) => {
  const el = (typeof form === 'string' ? $(form) : form) as HTMLFormElement;
  el.requestSubmit();
  await settle(flushSync);
};
const pick = async (id: string) => {
  ($(`#org-map [data-unit-id="${id}"]`) as unknown as SVGElement).dispatchEvent(new MouseEvent('click', { bubbles: true }));
  await settle(flushSync);
};
const commands = (backend: Backend) => vi.mocked(backend.apply).mock.calls.map(([c]) => c);

/** The presenter over a fake core that keeps the map, in edit mode. */
async function render(over: Partial<Backend> = {}) {
  const fake = fakeMap(view, over);
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend: fake.backend } });
  await settle(flushSync);
  await click('#edit-toggle');
  return fake;
}

describe('the map editor’s rules', () => {
  it('derives slugs and makes them unique', () => {
    expect(slugify('Field Engineers')).toBe('field-engineers');
    expect(slugify('  Ärzte & Pflege (Nord) ')).toBe('arzte-pflege-nord');
    expect(slugify('!!!')).toBe('unit');
    expect(slugify('x'.repeat(100))).toHaveLength(64);
    expect(uniqueId('Finance', ['finance'])).toBe('finance-2');
    expect(uniqueId('Finance', ['finance', 'finance-2'])).toBe('finance-3');
    const long = uniqueId('y'.repeat(80), ['y'.repeat(64)]);
    expect(long).toBe('y'.repeat(62) + '-2');
  });

  it('reads numbers as typed and refuses what the core would', () => {
    expect(parseNumber('0,5')).toBe(0.5);
    expect(parseNumber(' 1 ')).toBe(1);
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('1x')).toBeNaN();
    const draft = { ...newLinkDraft('finance', 'sales'), service: 'Budgets' };
    expect(linkProblems(tinyMap, draft, null)).toEqual({});
    expect(Object.keys(linkProblems(tinyMap, { ...draft, strength: '0' }, null))).toEqual(['strength']);
    expect(Object.keys(linkProblems(tinyMap, { ...draft, strength: '1.01' }, null))).toEqual(['strength']);
    expect(Object.keys(linkProblems(tinyMap, { ...draft, lag: '-1' }, null))).toEqual(['lag']);
    expect(Object.keys(linkProblems(tinyMap, { ...draft, service: ' ' }, null))).toEqual(['service']);
    expect(Object.keys(linkProblems(tinyMap, { ...draft, customer: 'finance' }, null))).toEqual(['customer']);
    expect(Object.keys(linkProblems(tinyMap, { ...draft, service: 'Commission paid' }, null))).toEqual(['service']);
    // A link may keep its own service.
    expect(linkProblems(tinyMap, { ...draft, service: 'Commission paid' }, 0)).toEqual({});
    expect(mapSummary(tinyMap)).toBe('4 units, 3 links');
    expect(deletionWords(tinyMap, 'finance')).toBe('2 links go with it.');
    expect(deletionWords(tinyMap, 'households')).toBe('1 link goes with it.');
  });

  it('maps undo, redo and edit keys', () => {
    expect(keyAction({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(keyAction({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(keyAction({ key: 'z', metaKey: true, shiftKey: true })).toBe('redo');
    expect(keyAction({ key: 'y', ctrlKey: true })).toBe('redo');
    expect(keyAction({ key: 'Y', ctrlKey: true, shiftKey: true })).toBeNull();
    expect(keyAction({ key: 'e' })).toBe('edit');
    expect(keyAction({ key: 'E' })).toBe('edit');
    expect(keyAction({ key: 'e', ctrlKey: true })).toBeNull();
  });
});

describe('the map editor', () => {
  it('opens with the button and E, and closes again', async () => {
    const fake = fakeMap(view);
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(App, { target: document.getElementById('app')!, props: { backend: fake.backend } });
    await settle(flushSync);
    expect($('#map-editor')).toBeNull();
    await key('e');
    expect($('#edit-toggle')!.getAttribute('aria-pressed')).toBe('true');
    expect($('#unit-panel')!.hasAttribute('hidden')).toBe(false);
    expect($('#map-editor')).not.toBeNull();
    // Typing an e in a field is typing.
    await key('e', {}, $('#new-unit-name')!);
    expect($('#map-editor')).not.toBeNull();
    await click('#edit-toggle');
    expect($('#map-editor')).toBeNull();
    expect($('#edit-toggle')!.getAttribute('aria-pressed')).toBe('false');
  });

  it('adds a unit with a unique slug id and selects it', async () => {
    const { backend, map } = await render();
    type('#new-unit-name', 'Finance');
    type('#new-unit-kind', 'frontline');
    expect($('#new-unit-id')!.textContent).toBe('Id: finance-2');
    await submit('#add-unit-form');
    expect(commands(backend)).toEqual([
      { type: 'add_unit', unit: { id: 'finance-2', name: 'Finance', kind: 'frontline', weight: 1 } },
    ]);
    expect(map().units.map((u) => u.id)).toContain('finance-2');
    // The map and the editor show it.
    expect($('#org-map [data-unit-id="finance-2"]')).not.toBeNull();
    expect($('#unit-form h2')!.textContent).toBe('Finance');
    expect(($('#new-unit-name') as HTMLInputElement).value).toBe('');
  });

  it('refuses a unit without a name before calling the core', async () => {
    const { backend } = await render();
    type('#new-unit-name', '   ');
    await submit('#add-unit-form');
    expect(backend.apply).not.toHaveBeenCalled();
    expect($('#new-unit-name-error')!.textContent).toMatch(/name/);
    expect($('#new-unit-name')!.getAttribute('aria-invalid')).toBe('true');
  });

  it('renames a unit, keeping its id', async () => {
    const { backend } = await render();
    await pick('finance');
    expect($('#unit-form h2')!.textContent).toBe('Finance');
    type('#unit-name', 'Finance & Payroll');
    await submit('#unit-form');
    expect(commands(backend)).toEqual([
      { type: 'update_unit', id: 'finance', unit: { id: 'finance', name: 'Finance & Payroll', kind: 'support', weight: 1 } },
    ]);
    expect($('#unit-form h2')!.textContent).toBe('Finance & Payroll');
    expect($('#org-map [data-unit-id="finance"]')!.getAttribute('aria-label')).toBe('Finance & Payroll, support');
    type('#unit-name', '');
    await submit('#unit-form');
    expect(backend.apply).toHaveBeenCalledTimes(1);
    expect($('#unit-name-error')).not.toBeNull();
  });

  it('asks before deleting a unit and says how many links go with it', async () => {
    const { backend, map } = await render();
    await pick('finance');
    await click('#delete-unit');
    const dialog = $('#confirm-delete-unit')!;
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain('Delete Finance?');
    expect(dialog.textContent).toContain('2 links go with it.');
    expect([...dialog.querySelectorAll('.gone li')].map((li) => li.textContent)).toEqual([`To Sales, ${bold}`]);
    expect(backend.apply).not.toHaveBeenCalled();
    // Keys wait while it asks; Escape keeps the unit.
    await key('ArrowRight');
    expect(backend.apply).not.toHaveBeenCalled();
    await key('Escape');
    expect($('#confirm-delete-unit')).toBeNull();
    await click('#delete-unit');
    await click('#confirm-delete-unit-button');
    expect(commands(backend)).toEqual([{ type: 'delete_unit', id: 'finance' }]);
    expect(map().links).toHaveLength(1);
    expect($('#org-map [data-unit-id="finance"]')).toBeNull();
    // Still editing, nothing selected.
    expect($('#map-editor .select-hint')).not.toBeNull();
  });

  it('lists a unit’s links both ways and edits one by its index in the map', async () => {
    const { backend, map } = await render();
    await pick('hr');
    expect($$('#links-out li')).toHaveLength(0);
    expect($$('#links-in li').map((li) => li.getAttribute('data-link-index'))).toEqual(['2']);
    await pick('finance');
    expect($$('#links-out li').map((li) => li.getAttribute('data-link-index'))).toEqual(['0', '2']);
    await click('#links-out li[data-link-index="2"] .edit-link');
    const form = $('#links-out li[data-link-index="2"] form')!;
    expect((form.querySelector('[name="service"]') as HTMLInputElement).value).toBe('Payroll figures');
    expect((form.querySelector('[name="strength"]') as HTMLInputElement).value).toBe('0.6');
    expect(form.textContent).toContain('1 = the customer is blocked without it');
    type(form.querySelector('[name="service"]')!, 'Payroll run');
    type(form.querySelector('[name="strength"]')!, '1');
    type(form.querySelector('[name="lag"]')!, '48');
    type(form.querySelector('[name="time"]')!, 'By the 20th');
    expect(form.textContent).toContain('blocked without it');
    expect(form.textContent).toContain('felt after 2 days');
    await submit(form);
    const link = {
      provider: 'finance',
      customer: 'hr',
      service: 'Payroll run',
      strength: 1,
      lag: 48,
      quality: 'Correct',
      time: 'By the 20th',
      delivery: 'Spreadsheet',
    };
    expect(commands(backend)).toEqual([{ type: 'update_link', index: 2, link }]);
    expect(map().links[2]).toEqual(link);
    expect($('#links-out form')).toBeNull();
    expect($('#links-out li[data-link-index="2"]')!.textContent).toContain('Payroll run');
  });

  it('sets the strength with the slider too', async () => {
    const { backend } = await render();
    await pick('finance');
    await click('#links-out li[data-link-index="0"] .edit-link');
    const form = $('#links-out form')!;
    type(form.querySelector('[name="strength-range"]')!, '0.75');
    expect((form.querySelector('[name="strength"]') as HTMLInputElement).value).toBe('0.75');
    await submit(form);
    expect(commands(backend)[0]).toMatchObject({ type: 'update_link', index: 0, link: { strength: 0.75 } });
  });

  it('refuses a strength outside (0, 1] and a negative lag before calling the core', async () => {
    const { backend } = await render();
    await pick('finance');
    await click('#links-out li[data-link-index="0"] .edit-link');
    const form = $('#links-out form')!;
    for (const bad of ['0', '1.5', '-0.2', 'lots']) {
      type(form.querySelector('[name="strength"]')!, bad);
      await submit(form);
      const error = form.querySelector('.field-error[data-field="strength"]')!;
      expect(error.textContent).toMatch(/above 0 and at most 1/);
      expect(form.querySelector('[name="strength"]')!.getAttribute('aria-invalid')).toBe('true');
      expect(form.querySelector('[name="strength"]')!.getAttribute('aria-describedby')).toContain(error.id);
      // The trainer is taken to the field to fix.
      expect(document.activeElement).toBe(form.querySelector('[name="strength"]'));
    }
    type(form.querySelector('[name="strength"]')!, '0.5');
    type(form.querySelector('[name="lag"]')!, '-3');
    await submit(form);
    expect(form.querySelector('.field-error[data-field="strength"]')).toBeNull();
    expect(form.querySelector('.field-error[data-field="lag"]')!.textContent).toMatch(/0 or more/);
    expect(backend.apply).not.toHaveBeenCalled();
  });

  it('adds a service from the selected unit to a picked one, or to it from another', async () => {
    const { backend, map } = await render();
    await pick('hr');
    await click('#add-link');
    const form = $('#map-editor .link-form')!;
    const options = [...form.querySelectorAll('[name="other"] option')].map((o) => o.textContent);
    expect(options).toEqual(['Pick a unit…', 'Households', 'Sales', 'Finance']);
    type(form.querySelector('[name="service"]')!, 'Recruits');
    await submit(form);
    expect(form.querySelector('.field-error[data-field="other"]')!.textContent).toMatch(/Pick/);
    type(form.querySelector('[name="other"]')!, 'sales');
    await submit(form);
    expect(commands(backend)[0]).toEqual({
      type: 'add_link',
      link: { provider: 'hr', customer: 'sales', service: 'Recruits', strength: 0.5, lag: 8, quality: '', time: '', delivery: '' },
    });
    expect($('#org-map g.link[data-provider="hr"][data-customer="sales"]')).not.toBeNull();
    await click('#add-link');
    const second = $('#map-editor .link-form')!;
    type(second.querySelector('[name="direction"]')!, 'in');
    type(second.querySelector('[name="other"]')!, 'sales');
    type(second.querySelector('[name="service"]')!, 'Headcount plans');
    await submit(second);
    expect(commands(backend)[1]).toMatchObject({ type: 'add_link', link: { provider: 'sales', customer: 'hr', service: 'Headcount plans' } });
    expect(map().links).toHaveLength(5);
  });

  it('deletes a link', async () => {
    const { backend, map } = await render();
    await pick('sales');
    await click('#links-out li[data-link-index="1"] .delete-link');
    expect(commands(backend)).toEqual([{ type: 'delete_link', index: 1 }]);
    expect(map().links.map((l) => l.service)).toEqual(['Commission paid', 'Payroll figures']);
    expect($('#links-out')).toBeNull();
  });

  it('shows the core’s refusal as text', async () => {
    const refusal = { code: 'invalid_map', message: "link hr → sales: unknown unit '<i>sales</i>'" };
    const { backend } = await render({ apply: vi.fn(async () => Promise.reject(refusal)) });
    await pick('finance');
    type('#unit-name', 'Money');
    await submit('#unit-form');
    expect(backend.apply).toHaveBeenCalledTimes(1);
    const error = $('#map-edit-error')!;
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe(refusal.message);
    expect(error.querySelector('i')).toBeNull();
  });

  it('undoes and redoes with the buttons and the keys', async () => {
    const { backend, map, undone } = await render();
    type('#new-unit-name', 'Legal');
    await submit('#add-unit-form');
    expect(map().units).toHaveLength(5);
    await click('#undo');
    expect(map().units).toHaveLength(4);
    expect($('#org-map [data-unit-id="legal"]')).toBeNull();
    await click('#redo');
    expect($('#org-map [data-unit-id="legal"]')).not.toBeNull();
    await key('z', { ctrlKey: true });
    expect(undone()).toBe(1);
    await key('Z', { ctrlKey: true, shiftKey: true });
    expect(undone()).toBe(0);
    await key('z', { ctrlKey: true });
    await key('y', { ctrlKey: true });
    expect(commands(backend).map((c) => c.type)).toEqual(['add_unit', 'undo', 'redo', 'undo', 'redo', 'undo', 'redo']);
    expect(map().units).toHaveLength(5);
    // Nothing more to redo: the core says so.
    await click('#redo');
    expect($('#action-error')!.textContent).toContain('There is nothing to redo.');
  });

  it('imports two CSV files and replaces the map only once confirmed', async () => {
    const imported: OrgMap = {
      version: 1,
      name: 'Imported',
      units: [
        { id: 'a', name: 'Alpha', kind: 'support', weight: 1 },
        { id: 'b', name: 'Beta', kind: 'external', weight: 1 },
      ],
      links: [{ provider: 'a', customer: 'b', service: 'S', strength: 1, lag: 0, quality: '', time: '', delivery: '' }],
    };
    const mapFromFiles = vi.fn(async () => imported);
    const { backend, map } = await render({ mapFromFiles });
    const input = $('#import-file') as HTMLInputElement;
    expect(input.getAttribute('accept')).toBe('.json,.graphml,.csv');
    expect(input.multiple).toBe(true);
    const files = [
      new File(['id,name,kind,weight\na,Alpha,support,1\nb,Beta,external,1\n'], 'units.csv', { type: 'text/csv' }),
      new File(['provider,customer,service,strength,lag\na,b,S,1,0\n'], 'links.csv', { type: 'text/csv' }),
    ];
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => {
      flushSync();
      expect($('#confirm-import')).not.toBeNull();
    });
    expect(mapFromFiles).toHaveBeenCalledWith([
      ['units.csv', 'id,name,kind,weight\na,Alpha,support,1\nb,Beta,external,1\n'],
      ['links.csv', 'provider,customer,service,strength,lag\na,b,S,1,0\n'],
    ]);
    expect($('#confirm-import')!.textContent).toContain('2 units, 1 link — replace the current map?');
    expect($('#confirm-import')!.textContent).toContain('units.csv, links.csv');
    expect(backend.apply).not.toHaveBeenCalled();
    await click('#cancel-import');
    expect(backend.apply).not.toHaveBeenCalled();
    expect(map().units).toHaveLength(4);
    // Again, and this time replace it.
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => {
      flushSync();
      expect($('#confirm-import')).not.toBeNull();
    });
    await click('#confirm-import-button');
    expect(commands(backend)).toEqual([{ type: 'replace_map', map: imported }]);
    expect($$('#org-map g.unit').map((u) => u.getAttribute('data-unit-id')).sort()).toEqual(['a', 'b']);
  });

  it('shows why the files could not be read', async () => {
    const mapFromFiles = vi.fn(async () => Promise.reject({ code: 'invalid_map', message: 'links.csv line 3: strength 2 must be in (0, 1]' }));
    const { backend } = await render({ mapFromFiles });
    const input = $('#import-file') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File(['x'], 'links.csv')], configurable: true });
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await vi.waitFor(() => {
      flushSync();
      expect($('#map-edit-error')!.textContent).toBe('links.csv line 3: strength 2 must be in (0, 1]');
    });
    expect($('#confirm-import')).toBeNull();
    expect(backend.apply).not.toHaveBeenCalled();
  });

  it('shows names with markup as text', async () => {
    await render();
    await pick('hr');
    expect($('#unit-form h2')!.textContent).toBe(bold);
    expect(($('#unit-name') as HTMLInputElement).value).toBe(bold);
    await click('#delete-unit');
    expect($('#confirm-delete-unit h2')!.textContent).toBe(`Delete ${bold}?`);
    await key('Escape');
    await pick('finance');
    expect($('#links-out')!.textContent).toContain(bold);
    expect(document.querySelectorAll('#app b')).toHaveLength(0);
  });

  it('offers the links and units the room proposed', async () => {
    const p = participation();
    p.results.edges = [
      { provider: 'hr', customer: { unit: 'sales' }, average: 7, count: 4 },
      // Already on the map, and one to a typed customer: not offered as links.
      { provider: 'finance', customer: { unit: 'sales' }, average: 6, count: 2 },
      { provider: 'hr', customer: { proposed: 'Night shift' }, average: 5, count: 1 },
    ];
    p.results.proposed = [{ name: 'Night <b>shift</b>', mentions: 3 }];
    const { backend } = await render({ participation: vi.fn(async () => p) });
    const offered = $$('.proposed-link').map((li) => `${li.getAttribute('data-provider')}→${li.getAttribute('data-customer')}`);
    expect(offered).toEqual(['hr→sales']);
    await click('.proposed-link .propose-link');
    // hr is selected, with a new service to sales waiting for its name.
    expect($('#unit-form h2')!.textContent).toBe(bold);
    const form = $('#map-editor .link-form')!;
    expect((form.querySelector('[name="other"]') as HTMLSelectElement).value).toBe('sales');
    type(form.querySelector('[name="service"]')!, 'Recruits');
    await submit(form);
    expect(commands(backend)[0]).toMatchObject({ type: 'add_link', link: { provider: 'hr', customer: 'sales', service: 'Recruits' } });
    expect($$('.proposed-link')).toHaveLength(0);
    const unit = $('.proposed-unit')!;
    expect(unit.textContent).toContain('Night <b>shift</b>');
    await click(unit.querySelector('.accept-frontline')!);
    expect(commands(backend)[1]).toEqual({ type: 'accept_proposed_unit', name: 'Night <b>shift</b>', kind: 'frontline' });
  });
});

describe('the projector while the trainer edits', () => {
  it('shows no editing controls, whatever keys are pressed there', async () => {
    const { backend } = fakeMap(view);
    const sent: AudienceKey[] = [];
    const audience = { ...backend, sendAudienceKey: vi.fn(async (k: AudienceKey) => void sent.push(k)) };
    document.body.innerHTML = '<div id="app"></div>';
    app = mount(Audience, { target: document.getElementById('app')!, props: { backend: audience } });
    await settle(flushSync);
    expect($('#org-map')).not.toBeNull();
    await key('e');
    await key('Z', { ctrlKey: true, shiftKey: true });
    // The keys go to the presenter, which decides; the projector draws no editor.
    expect(sent).toEqual([{ key: 'e' }, { key: 'Z', ctrlKey: true, shiftKey: true }]);
    expect($('#map-editor, #edit-toggle, #import-map, form, input, select')).toBeNull();
    expect($$('#org-map [role="button"]')).toHaveLength(0);
  });
});
