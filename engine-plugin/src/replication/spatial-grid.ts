import type { IdList } from './entity-set.js';

/** Cell coordinates are clamped to ±2^24 so a cell key stays an exact integer below 2^50. */
const CELL_LIMIT = 2 ** 24;

/**
 * A uniform hash grid over entity positions, for radius queries around a client's focus.
 * Entities move between cells only when their position changes, so the per-tick cost is
 * proportional to the entities that moved, not to all of them.
 */
export class SpatialGrid {
  private readonly cells = new Map<number, Set<number>>();
  /** Per entity: its cell key, or NaN when it is not in the grid. */
  private readonly cellOf: Float64Array;
  private readonly cellSize: number;
  /**
   * Entities are re-placed only when their (possibly quantised) position is detected as changed,
   * so a stored cell may lag the store by less than one quantisation step; queries widen by this.
   */
  private readonly slack: number;

  constructor(capacity: number, cellSize: number, slack = 0) {
    if (!(cellSize > 0) || !Number.isFinite(cellSize)) throw new TypeError(`spatial cellSize must be a positive number, got ${cellSize}`);
    this.cellSize = cellSize;
    this.slack = slack;
    this.cellOf = new Float64Array(capacity).fill(Number.NaN);
  }

  private coordinate(value: number): number {
    const c = Math.floor(value / this.cellSize);
    return Math.min(Math.max(c, -CELL_LIMIT), CELL_LIMIT);
  }

  private key(cx: number, cy: number): number {
    return (cx + CELL_LIMIT) * 2 ** 25 + (cy + CELL_LIMIT);
  }

  has(eid: number): boolean {
    return !Number.isNaN(this.cellOf[eid]!);
  }

  /** Put or move an entity; a NaN coordinate takes it out of the grid. */
  place(eid: number, x: number, y: number): void {
    if (Number.isNaN(x) || Number.isNaN(y)) {
      this.remove(eid);
      return;
    }
    const key = this.key(this.coordinate(x), this.coordinate(y));
    const current = this.cellOf[eid]!;
    if (current === key) return;
    if (!Number.isNaN(current)) this.leave(eid, current);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = new Set();
      this.cells.set(key, cell);
    }
    cell.add(eid);
    this.cellOf[eid] = key;
  }

  remove(eid: number): void {
    const current = this.cellOf[eid]!;
    if (Number.isNaN(current)) return;
    this.leave(eid, current);
    this.cellOf[eid] = Number.NaN;
  }

  private leave(eid: number, key: number): void {
    const cell = this.cells.get(key)!;
    cell.delete(eid);
    if (cell.size === 0) this.cells.delete(key);
  }

  /**
   * Push into `out` every entity within `radius` of (x, y), by the positions in `xs`/`ys`.
   * When the radius spans more cells than are occupied, it walks the occupied cells instead,
   * so a huge radius costs O(entities), never O(area).
   */
  query(x: number, y: number, radius: number, xs: ArrayLike<number>, ys: ArrayLike<number>, out: IdList): void {
    const r2 = radius * radius;
    const visit = (cell: Set<number>): void => {
      for (const e of cell) {
        const dx = xs[e]! - x;
        const dy = ys[e]! - y;
        if (dx * dx + dy * dy <= r2) out.push(e);
      }
    };
    const reach = radius + this.slack;
    const cx0 = this.coordinate(x - reach);
    const cx1 = this.coordinate(x + reach);
    const cy0 = this.coordinate(y - reach);
    const cy1 = this.coordinate(y + reach);
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > this.cells.size) {
      for (const cell of this.cells.values()) visit(cell);
      return;
    }
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const cell = this.cells.get(this.key(cx, cy));
        if (cell) visit(cell);
      }
    }
  }
}
