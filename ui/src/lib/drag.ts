// Dragging a unit on the presenter's map while editing, free of the DOM: where the
// unit is drawn while it moves, and where it is stored once dropped.
import type { Point } from './bindings/Point';
import { toLayout, type Placement } from './geometry';

/** Pointer travel (px) below which a press is a click, not a drag. */
export const DRAG_THRESHOLD = 5;

export interface Drag {
  id: string;
  /** Where the pointer went down, and how far from the unit's centre. */
  start: Point;
  grip: Point;
  /** Where the unit's centre is drawn now (px). */
  at: Point;
  /** Past the threshold: a drag, not a click. */
  moved: boolean;
}

/** A press on unit `id` drawn at `centre`. */
export function startDrag(id: string, pointer: Point, centre: Point): Drag {
  return { id, start: pointer, grip: { x: pointer.x - centre.x, y: pointer.y - centre.y }, at: centre, moved: false };
}

/** The pointer moved: the unit follows it, kept inside the drawing of `width` × `height`. */
export function moveDrag(drag: Drag, pointer: Point, width: number, height: number): Drag {
  const moved = drag.moved || Math.hypot(pointer.x - drag.start.x, pointer.y - drag.start.y) >= DRAG_THRESHOLD;
  if (!moved) return drag;
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { ...drag, moved, at: { x: clamp(pointer.x - drag.grip.x, width), y: clamp(pointer.y - drag.grip.y, height) } };
}

/** Where to store the dropped unit, on the layout's canvas (null: it was a click). */
export function dropPosition(drag: Drag, place: Placement): Point | null {
  return drag.moved ? storedAt(drag.at, place) : null;
}

/** A unit drawn at `at` (px) as stored: on the layout's canvas, to a tenth (finer than any screen shows). */
export function storedAt(at: Point, place: Placement): Point {
  const p = toLayout(at, place);
  return { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
}
