import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { tauriBackend, toApiError } from '../src/lib/backend';

describe('toApiError', () => {
  it('keeps the code and message of an error from the core', () => {
    expect(toApiError({ code: 'not_found', message: 'No workshop 7.', extra: 1 })).toEqual({
      code: 'not_found',
      message: 'No workshop 7.',
    });
  });

  it('turns a string into an internal error with that message', () => {
    expect(toApiError('command open_workshop not found')).toEqual({
      code: 'internal',
      message: 'command open_workshop not found',
    });
  });

  it('uses the message of a thrown Error', () => {
    expect(toApiError(new TypeError('boom'))).toEqual({ code: 'internal', message: 'boom' });
  });

  it('turns anything else into an internal error', () => {
    expect(toApiError(undefined)).toEqual({ code: 'internal', message: 'undefined' });
    expect(toApiError({ code: 3, message: 'x' })).toEqual({ code: 'internal', message: '[object Object]' });
  });
});

describe('tauriBackend', () => {
  afterEach(() => clearMocks());

  it('calls the commands by name with the workshop id', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return cmd === 'list_workshops' ? [] : { id: 4 };
    });
    await tauriBackend.listWorkshops();
    await tauriBackend.openWorkshop(4);
    expect(calls.map(([cmd]) => cmd)).toEqual(['list_workshops', 'open_workshop']);
    expect(calls[1][1]).toEqual({ id: 4 });
  });

  it('rejects with the ApiError shape whatever the IPC rejected with', async () => {
    mockIPC(() => {
      throw 'the database is locked';
    });
    await expect(tauriBackend.listWorkshops()).rejects.toEqual({
      code: 'internal',
      message: 'the database is locked',
    });
  });
});

describe('tauriBackend, the session commands', () => {
  afterEach(() => clearMocks());

  it('passes camelCase arguments to each command', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'create_workshop' || cmd === 'duplicate_workshop') return 5;
      if (cmd === 'set_projector') return { blank: true, revealed: false, hide_attendees: false };
      return null;
    });
    expect(await tauriBackend.createWorkshop('demo', null)).toBe(5);
    expect(await tauriBackend.renameWorkshop(2, 'Spring')).toBeUndefined();
    expect(await tauriBackend.duplicateWorkshop(2, null)).toBe(5);
    await tauriBackend.deleteWorkshop(2);
    await tauriBackend.currentWorkshop();
    await tauriBackend.apply({ type: 'go_to_activity', id: 12 });
    await tauriBackend.presenterClock();
    expect(await tauriBackend.setProjector({ blank: true })).toEqual({ blank: true, revealed: false, hide_attendees: false });
    await tauriBackend.setProjector({ revealed: false });
    await tauriBackend.setProjector({ hide_attendees: true });
    await tauriBackend.listDisplays();
    await tauriBackend.openAudience(1);
    await tauriBackend.openAudience(null);
    await tauriBackend.closeAudience();
    await tauriBackend.onlineStatus();
    await tauriBackend.goOnline('192.168.1.20', 9000);
    await tauriBackend.goOnline(null, null);
    await tauriBackend.goOffline();
    await tauriBackend.participation();
    expect(await tauriBackend.openKiosk()).toBeUndefined();
    await tauriBackend.apply({ type: 'reset_round', round: 'thanks' });
    expect(calls).toEqual([
      ['create_workshop', { from: 'demo', name: null }],
      ['rename_workshop', { id: 2, name: 'Spring' }],
      ['duplicate_workshop', { id: 2, name: null }],
      ['delete_workshop', { id: 2 }],
      ['current_workshop', {}],
      ['apply', { command: { type: 'go_to_activity', id: 12 } }],
      ['presenter_clock', {}],
      ['set_projector', { change: { blank: true, revealed: null, hide_attendees: null } }],
      ['set_projector', { change: { blank: null, revealed: false, hide_attendees: null } }],
      ['set_projector', { change: { blank: null, revealed: null, hide_attendees: true } }],
      ['list_displays', {}],
      ['open_audience', { display: 1 }],
      ['open_audience', { display: null }],
      ['close_audience', {}],
      ['online_status', {}],
      ['go_online', { ip: '192.168.1.20', port: 9000 }],
      ['go_online', { ip: null, port: null }],
      ['go_offline', {}],
      ['participation', {}],
      ['open_kiosk', {}],
      ['apply', { command: { type: 'reset_round', round: 'thanks' } }],
    ]);
  });

  it('rejects a refused command with the core’s code and message', async () => {
    mockIPC(() => {
      throw { code: 'nothing_to_undo', message: 'There is nothing to undo.' };
    });
    await expect(tauriBackend.apply({ type: 'undo' })).rejects.toEqual({
      code: 'nothing_to_undo',
      message: 'There is nothing to undo.',
    });
  });

  it('hands each event’s payload to its subscriber until unsubscribed', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const changed: unknown[] = [];
    const projector: unknown[] = [];
    const room: unknown[] = [];
    const online: unknown[] = [];
    let lists = 0;
    const off = await tauriBackend.onWorkshopChanged((e) => changed.push(e));
    await tauriBackend.onParticipationChanged((p) => room.push(p.code));
    await tauriBackend.onOnlineChanged((o) => online.push(o.join));
    await tauriBackend.onProjectorChanged((p) => projector.push(p));
    await tauriBackend.onWorkshopsChanged(() => lists++);
    await emit('workshop-changed', { type: 'renamed', seq: 3, name: 'New' });
    await emit('projector-changed', { blank: true, revealed: false, hide_attendees: false });
    await emit('workshops-changed', null);
    await emit('participation-changed', { code: 'ABC234' });
    await emit('online-changed', { join: null, addresses: [], kiosk_url: null });
    off();
    await emit('workshop-changed', { type: 'renamed', seq: 4, name: 'Newer' });
    expect(changed).toEqual([{ type: 'renamed', seq: 3, name: 'New' }]);
    expect(projector).toEqual([{ blank: true, revealed: false, hide_attendees: false }]);
    expect(lists).toBe(1);
    expect(room).toEqual(['ABC234']);
    expect(online).toEqual([null]);
  });

  it('sends audience keys to the presenter window only', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    await tauriBackend.sendAudienceKey({ key: 'b' });
    expect(calls).toEqual([
      ['plugin:event|emit_to', { target: { kind: 'AnyLabel', label: 'presenter' }, event: 'audience-key', payload: { key: 'b' } }],
    ]);
  });
});
