// The one way the UI reaches the Rust core. In the app that is Tauri IPC; a later
// HTTP implementation for phones implements the same interface.
import { invoke } from '@tauri-apps/api/core';
import type { ApiError } from './bindings/ApiError';
import type { WorkshopSummary } from './bindings/WorkshopSummary';
import type { WorkshopView } from './bindings/WorkshopView';

export interface Backend {
  listWorkshops(): Promise<WorkshopSummary[]>;
  openWorkshop(id: number): Promise<WorkshopView>;
}

function isApiError(e: unknown): e is ApiError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as ApiError).code === 'string' &&
    typeof (e as ApiError).message === 'string'
  );
}

/** Whatever a call rejected with, as the `{code, message}` shape the core uses. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export const tauriBackend: Backend = {
  listWorkshops: () => call<WorkshopSummary[]>('list_workshops'),
  openWorkshop: (id) => call<WorkshopView>('open_workshop', { id }),
};
