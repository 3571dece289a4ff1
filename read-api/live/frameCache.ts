/**
 * Built changes kept in memory up to a byte bound (oldest first out), so replays to
 * reconnecting clients rarely build a change again.
 */
import type { BuiltChange, ChangeFrameBuilder, ChangeRow } from './changeFrames.js';

export class FrameCache {
  private readonly changes = new Map<bigint, BuiltChange>();
  private bytes = 0;

  constructor(
    private readonly builder: ChangeFrameBuilder,
    private readonly maxBytes: number,
  ) {}

  remember(change: BuiltChange): void {
    if (this.changes.has(change.id)) return;
    this.changes.set(change.id, change);
    this.bytes += change.bytes;
    for (const [id, old] of this.changes) {
      if (this.bytes <= this.maxBytes) break;
      this.changes.delete(id);
      this.bytes -= old.bytes;
    }
  }

  /** Built changes for rows, from memory where this process built them, else from the database. */
  async builtFor(rows: readonly ChangeRow[]): Promise<BuiltChange[]> {
    const out: BuiltChange[] = [];
    let run: ChangeRow[] = [];
    const flush = async () => {
      if (!run.length) return;
      const { built } = await this.builder.build(run, await this.builder.threadsPositionBefore(run[0]!.id));
      for (const b of built) {
        out.push(b);
        this.remember(b);
      }
      run = [];
    };
    for (const row of rows) {
      const cached = this.changes.get(row.id);
      if (cached) {
        await flush();
        out.push(cached);
      } else {
        run.push(row);
      }
    }
    await flush();
    return out;
  }
}
