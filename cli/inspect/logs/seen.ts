// De-duplication for --follow: polls overlap on purpose (late events still arrive), so an
// event is recognised by its CloudWatch event id — never by timestamp, which events share
// when written in the same millisecond. Ids are forgotten once the next query can no longer
// return them (their timestamp is before its start), which bounds memory by the overlap.

export class SeenEvents {
  private readonly ids = new Map<string, number>();

  /** True the first time an id is offered. */
  add(id: string, timestamp: number): boolean {
    if (this.ids.has(id)) return false;
    this.ids.set(id, timestamp);
    return true;
  }

  /** Forget every id whose event is older than `cutoff`. */
  forgetBefore(cutoff: number): void {
    for (const [id, timestamp] of this.ids) if (timestamp < cutoff) this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
