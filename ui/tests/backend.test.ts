import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
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
