// The live workshop as the windows see it, and the small pure rules of the presenter:
// how times are worded and which key does what.
import type { Display } from './bindings/Display';
import type { LiveWorkshop } from './bindings/LiveWorkshop';
import type { ProjectorState } from './bindings/ProjectorState';

export type { Display, LiveWorkshop, ProjectorState };

/** A duration as m:ss (or h:mm:ss past an hour), never negative. */
export function mmss(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** A Unix ms instant as the local clock time HH:MM. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A delay in whole minutes, worded for the trainer. */
export function minutes(ms: number): string {
  const m = Math.round(ms / 60000);
  return `${m} min`;
}

export type KeyAction = 'next' | 'previous' | 'blank' | 'fullscreen' | 'reveal' | 'help' | 'undo' | 'redo' | 'edit';

/** The help overlay's list: the keys and what they do, in the order a trainer needs them. */
export const KEYS: { keys: string[]; action: string }[] = [
  { keys: ['→', 'Space', 'Page Down'], action: 'Next activity' },
  { keys: ['←', 'Page Up'], action: 'Previous activity' },
  { keys: ['→', '←'], action: 'In the Cycle tab, during a walkthrough: its next or previous step' },
  { keys: ['B'], action: 'Blank or unblank the projector' },
  { keys: ['R'], action: 'Reveal or hide results' },
  { keys: ['F'], action: 'Fullscreen (the audience window if open)' },
  { keys: ['E'], action: 'Edit the map (and back)' },
  { keys: ['Ctrl', 'Z'], action: 'Undo the last edit' },
  { keys: ['Ctrl', 'Shift', 'Z'], action: 'Redo (also Ctrl Y)' },
  { keys: ['?'], action: 'Show or hide this help' },
  { keys: ['Esc'], action: 'Close a dialog, or back to the agenda' },
];

export type KeyLike = { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean; shiftKey?: boolean };

/** What a key press means, like presentation software; null for any other key. */
export function keyAction(e: KeyLike): KeyAction | null {
  if (e.altKey) return null;
  if (e.ctrlKey || e.metaKey) {
    const k = e.key.toLowerCase();
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    return k === 'y' && !e.shiftKey ? 'redo' : null;
  }
  switch (e.key) {
    case 'ArrowRight':
    case ' ':
    case 'Spacebar':
    case 'PageDown':
      return 'next';
    case 'ArrowLeft':
    case 'PageUp':
      return 'previous';
    case 'b':
    case 'B':
      return 'blank';
    case 'f':
    case 'F':
      return 'fullscreen';
    case 'r':
    case 'R':
      return 'reveal';
    case 'e':
    case 'E':
      return 'edit';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** Whether a key press happens while typing, where the presenter keys must not act. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}
