// The one way the UI reaches the Rust core. In the app that is Tauri IPC; a later
// HTTP implementation for phones implements the same interface.
import { invoke } from '@tauri-apps/api/core';
import { emitTo, listen, type UnlistenFn } from '@tauri-apps/api/event';
import { Window, getCurrentWindow } from '@tauri-apps/api/window';
import type { ApiError } from './bindings/ApiError';
import type { PresenterClock } from './bindings/PresenterClock';
import type { Recovery } from './bindings/Recovery';
import type { SessionCommand } from './bindings/SessionCommand';
import type { SessionEvent } from './bindings/SessionEvent';
import type { TemplateInfo } from './bindings/TemplateInfo';
import type { WorkshopSummary } from './bindings/WorkshopSummary';
import type { CriticalUnit } from './bindings/CriticalUnit';
import type { GameRoundView } from './bindings/GameRoundView';
import type { OnlineStatus } from './bindings/OnlineStatus';
import type { OrgMap } from './bindings/OrgMap';
import type { Participation } from './bindings/Participation';
import type { CycleTemplate } from './bindings/CycleTemplate';
import type { Scorecard } from './bindings/Scorecard';
import type { UnitMovement } from './bindings/UnitMovement';
import type { ProjectorChange } from './bindings/ProjectorChange';
import type { Display, LiveWorkshop, ProjectorState } from './live';
import type { GameControl } from './game';

export type { UnlistenFn };

/** A key pressed in the audience window, handed to the presenter. */
export type AudienceKey = { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; shiftKey?: boolean };

export interface Backend {
  listWorkshops(): Promise<WorkshopSummary[]>;
  /** What a new workshop can start from: the demo and the shipped templates. */
  listTemplates(): Promise<TemplateInfo[]>;
  /** A new workshop from `from` ("demo" or a template); its id. */
  createWorkshop(from: string, name: string | null): Promise<number>;
  renameWorkshop(id: number, name: string): Promise<void>;
  duplicateWorkshop(id: number, name: string | null): Promise<number>;
  deleteWorkshop(id: number): Promise<void>;
  /** Makes the workshop the live one of the app. */
  openWorkshop(id: number): Promise<LiveWorkshop>;
  currentWorkshop(): Promise<LiveWorkshop | null>;
  apply(command: SessionCommand): Promise<SessionEvent>;
  presenterClock(): Promise<PresenterClock>;
  /** Why the database was started afresh at launch, if it had to be. */
  recoveryNotice(): Promise<Recovery | null>;
  /** Restores the backup offered by the recovery notice; the workshop now live. */
  restoreBackup(): Promise<LiveWorkshop | null>;
  /** Changes what is given (null leaves it as it is); the projector's new state. */
  setProjector(change: Partial<ProjectorChange>): Promise<ProjectorState>;
  listDisplays(): Promise<Display[]>;
  openAudience(display: number | null): Promise<void>;
  closeAudience(): Promise<void>;
  /** Fullscreen on or off for the audience window if it is open, else for this window. */
  toggleFullscreen(): Promise<void>;
  /** Whether participants can join, where, and the addresses the server could use. */
  onlineStatus(): Promise<OnlineStatus>;
  /** Starts the participants' server on `ip` (null: the best LAN address) and `port` (null: the default). */
  goOnline(ip: string | null, port: number | null): Promise<OnlineStatus>;
  /** Stops the participants' server; answers stay saved. */
  goOffline(): Promise<OnlineStatus>;
  /** The live workshop's session code, rounds and live results (null: no live workshop). */
  participation(): Promise<Participation | null>;
  /** Opens the questionnaire in an app window for participants to take turns on (kiosk mode). */
  openKiosk(): Promise<void>;
  /** Every Ripple Effect round of the live workshop, oldest first (to replay one). */
  gameRounds(): Promise<GameRoundView[]>;
  /** Incidents worth dropping: the live map's most critical internal units. */
  incidentSuggestions(): Promise<CriticalUnit[]>;
  /** The shipped Engagement Cycle templates a trainer can start a cycle from. */
  cycleTemplates(): Promise<CycleTemplate[]>;
  /** The live workshop's unit scorecard as it stands. */
  scorecard(): Promise<Scorecard>;
  /** How the live workshop's units moved since workshop `before` (an earlier cohort). */
  scorecardMovement(before: number): Promise<UnitMovement[]>;
  /** Exports the live workshop in `format` where the trainer picks (the system's save
   * dialog); the path written, or null if the trainer cancelled. */
  exportWorkshop(format: string, anonymous: boolean): Promise<string | null>;
  /** Opens a Ripple archive the trainer picks as a new workshop; its id, or null if cancelled. */
  importArchive(): Promise<number | null>;
  /** Reads a map from picked files (name, text): one JSON or GraphML file, or units.csv with links.csv. */
  mapFromFiles(files: [string, string][]): Promise<OrgMap>;

  onWorkshopChanged(handler: (event: SessionEvent) => void): Promise<UnlistenFn>;
  onProjectorChanged(handler: (state: ProjectorState) => void): Promise<UnlistenFn>;
  onWorkshopsChanged(handler: () => void): Promise<UnlistenFn>;
  /** Live results and rounds as they change, at most every 100 ms. */
  onParticipationChanged(handler: (participation: Participation) => void): Promise<UnlistenFn>;
  /** The server went online or offline. */
  onOnlineChanged(handler: (status: OnlineStatus) => void): Promise<UnlistenFn>;
  /** In the presenter: keys pressed in the audience window. */
  onAudienceKey(handler: (key: AudienceKey) => void): Promise<UnlistenFn>;
  /** In the audience window: hand a key press to the presenter. */
  sendAudienceKey(key: AudienceKey): Promise<void>;
  /** In the presenter: drive the game on the projector (animation, countdown, leaderboard, replays). */
  sendGameControl(control: GameControl): Promise<void>;
  /** In the audience window: the presenter's game controls. */
  onGameControl(handler: (control: GameControl) => void): Promise<UnlistenFn>;
}

/** All the audience window may do: read the live workshop, hear changes, pass keys on. */
export type AudienceBackend = Pick<
  Backend,
  | 'currentWorkshop'
  | 'onWorkshopChanged'
  | 'onProjectorChanged'
  | 'sendAudienceKey'
  | 'onlineStatus'
  | 'participation'
  | 'onParticipationChanged'
  | 'onOnlineChanged'
  | 'gameRounds'
  | 'onGameControl'
>;

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

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toApiError(e);
  }
}

const on = <T>(event: string, handler: (payload: T) => void) =>
  guard(() => listen<T>(event, (e) => handler(e.payload)));

export const tauriBackend: Backend = {
  listWorkshops: () => call<WorkshopSummary[]>('list_workshops'),
  listTemplates: () => call<TemplateInfo[]>('list_templates'),
  createWorkshop: (from, name) => call<number>('create_workshop', { from, name }),
  renameWorkshop: (id, name) => call<null>('rename_workshop', { id, name }).then(() => undefined),
  duplicateWorkshop: (id, name) => call<number>('duplicate_workshop', { id, name }),
  deleteWorkshop: (id) => call<null>('delete_workshop', { id }).then(() => undefined),
  openWorkshop: (id) => call<LiveWorkshop>('open_workshop', { id }),
  currentWorkshop: () => call<LiveWorkshop | null>('current_workshop'),
  apply: (command) => call<SessionEvent>('apply', { command }),
  presenterClock: () => call<PresenterClock>('presenter_clock'),
  recoveryNotice: () => call<Recovery | null>('recovery_notice'),
  restoreBackup: () => call<LiveWorkshop | null>('restore_backup'),
  setProjector: ({ blank = null, revealed = null, hide_attendees = null }) =>
    call<ProjectorState>('set_projector', { change: { blank, revealed, hide_attendees } }),
  listDisplays: () => call<Display[]>('list_displays'),
  openAudience: (display) => call<null>('open_audience', { display }).then(() => undefined),
  closeAudience: () => call<null>('close_audience').then(() => undefined),
  toggleFullscreen: () =>
    guard(async () => {
      const win = (await Window.getByLabel('audience')) ?? getCurrentWindow();
      await win.setFullscreen(!(await win.isFullscreen()));
    }),

  onlineStatus: () => call<OnlineStatus>('online_status'),
  goOnline: (ip, port) => call<OnlineStatus>('go_online', { ip, port }),
  goOffline: () => call<OnlineStatus>('go_offline'),
  participation: () => call<Participation | null>('participation'),
  openKiosk: () => call<null>('open_kiosk').then(() => undefined),
  gameRounds: () => call<GameRoundView[]>('game_rounds'),
  incidentSuggestions: () => call<CriticalUnit[]>('incident_suggestions'),
  mapFromFiles: (files) => call<OrgMap>('map_from_files', { files }),
  cycleTemplates: () => call<CycleTemplate[]>('cycle_templates'),
  scorecard: () => call<Scorecard>('scorecard'),
  scorecardMovement: (before) => call<UnitMovement[]>('scorecard_movement', { before }),
  exportWorkshop: (format, anonymous) => call<string | null>('export_workshop', { format, anonymous, path: null }),
  importArchive: () => call<number | null>('import_archive', { path: null }),

  onWorkshopChanged: (handler) => on<SessionEvent>('workshop-changed', handler),
  onProjectorChanged: (handler) => on<ProjectorState>('projector-changed', handler),
  onWorkshopsChanged: (handler) => on<null>('workshops-changed', () => handler()),
  onParticipationChanged: (handler) => on<Participation>('participation-changed', handler),
  onOnlineChanged: (handler) => on<OnlineStatus>('online-changed', handler),
  onAudienceKey: (handler) => on<AudienceKey>('audience-key', handler),
  sendAudienceKey: (key) => guard(() => emitTo('presenter', 'audience-key', key)),
  sendGameControl: (control) => guard(() => emitTo('audience', 'game-control', control)),
  onGameControl: (handler) => on<GameControl>('game-control', handler),
};
