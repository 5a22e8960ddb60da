// ydeploy history [--limit 10]: past deployments from the journal, newest first.
import type { CommandInput } from '../command.js';
import { createContext } from '../context.js';
import { readHistory } from '../inspect/history.js';
import { parseLimit } from '../inspect/options.js';
import { dataPaint } from '../output/logline.js';
import { renderHistory } from '../output/table.js';

export async function run(input: CommandInput<{ limit?: string }>): Promise<number> {
  const limit = parseLimit(input.options.limit ?? '10', 'history');
  const ctx = await createContext(input as CommandInput);
  const entries = await readHistory({ store: ctx.ports.store, env: ctx.env }, limit);
  ctx.reporter.data(renderHistory(entries, dataPaint({ color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive })));
  ctx.reporter.result({ deployments: entries });
  return 0;
}
