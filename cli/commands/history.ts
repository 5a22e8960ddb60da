// ydeploy history [--limit 10]: past deployments from the journal, newest first.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'history',
  description: 'past deployments from the journal: who, when, what, step times, outcome',
  examples: ['ydeploy history --env production', 'ydeploy history --limit 5 --json'],
  options: (cmd) => cmd.option('--limit <n>', 'how many deployments', '10'),
  async run(input) {
    const [{ openContext }, { readHistory }, { parseLimit }, { dataPaint }, { renderHistory }] = await Promise.all([
      import('../context.js'),
      import('../inspect/history.js'),
      import('../inspect/options.js'),
      import('../output/logline.js'),
      import('../output/table.js'),
    ]);
    const limit = parseLimit(input.options.limit, 'history');
    const ctx = await openContext(input);
    const entries = await readHistory(ctx, limit);
    ctx.reporter.data(
      renderHistory(
        entries,
        dataPaint({ color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive }),
      ),
    );
    ctx.reporter.result({ deployments: entries });
    return 0;
  },
});
