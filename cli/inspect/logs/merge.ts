// Merges several time-ordered page sources into one time-ordered page stream, holding at most
// one page per source: events are released up to the earliest "last timestamp" among the
// pages held, since nothing later from any source can sort before it.

export interface Timed {
  timestamp: number;
}

const byTime = <T extends Timed>(a: T, b: T): number => a.timestamp - b.timestamp;

export async function* mergePages<T extends Timed>(sources: AsyncIterable<T[]>[]): AsyncGenerator<T[]> {
  if (sources.length === 1) {
    for await (const page of sources[0]) if (page.length) yield [...page].sort(byTime);
    return;
  }
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const held: (T[] | undefined)[] = new Array(iterators.length).fill(undefined);
  const done: boolean[] = new Array(iterators.length).fill(false);
  try {
    for (;;) {
      // Refill every live source whose held page is used up.
      await Promise.all(
        iterators.map(async (it, i) => {
          while (!done[i] && !held[i]?.length) {
            const next = await it.next();
            if (next.done) done[i] = true;
            else held[i] = [...next.value].sort(byTime);
          }
        }),
      );
      const live = held.map((page, i) => ({ page, i })).filter((h) => h.page?.length);
      if (!live.length) return;
      // Sources with more to come bound what may be released; exhausted ones do not.
      const bounds = live.filter((h) => !done[h.i]).map((h) => h.page![h.page!.length - 1].timestamp);
      const horizon = bounds.length ? Math.min(...bounds) : Infinity;
      const out: T[] = [];
      for (const h of live) {
        const page = h.page!;
        let cut = 0;
        while (cut < page.length && page[cut].timestamp <= horizon) cut++;
        out.push(...page.slice(0, cut));
        held[h.i] = page.slice(cut);
      }
      if (out.length) yield out.sort(byTime);
    }
  } finally {
    await Promise.all(iterators.map((it, i) => (done[i] ? undefined : it.return?.())));
  }
}
