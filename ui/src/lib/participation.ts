// Participants as the trainer's windows follow them: which events are only about the
// room's answers, which of two snapshots is newer, and the "Go online" form's rules.
import type { LanAddress } from './bindings/LanAddress';
import type { Participation } from './bindings/Participation';
import type { Round } from './bindings/Round';
import type { SessionEvent } from './bindings/SessionEvent';

/**
 * Session events about participants and their answers: the windows follow these
 * through the participation events (coalesced), not by reloading the workshop.
 */
export const ROOM_EVENTS: ReadonlySet<SessionEvent['type']> = new Set(['participant_joined', 'answers_changed', 'round_changed']);

/** Whether `next` should replace `current`: another workshop's room, or not older. */
export function newerParticipation(current: Participation | null, next: Participation | null): boolean {
  if (!current || !next) return true;
  return next.code !== current.code || next.seq >= current.seq;
}

export const ROUNDS: { round: Round; label: string; what: string }[] = [
  { round: 'self_assessment', label: 'Self-assessment', what: 'answers to the four questions (and the managers’ two)' },
  { round: 'thanks', label: 'Thanks', what: 'thank-you notes' },
];

/** The addresses worth offering the trainer: those other machines can reach. */
export function lanChoices(addresses: LanAddress[]): LanAddress[] {
  return addresses.filter((a) => !a.loopback);
}

/**
 * The port typed in the "Go online" form: null when empty (the server's default),
 * else a whole number from 1 to 65535; a string saying what is wrong otherwise.
 */
export function parsePort(text: string): number | null | string {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return 'The port is a whole number, like 8765.';
  const n = Number(t);
  if (n < 1 || n > 65535) return 'The port is a number from 1 to 65535.';
  return n;
}
