// ydeploy history [--limit 10]: past deployments from the journal, newest first.
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'history',
  description: 'past deployments from the journal: who, when, what, step times, outcome, key metrics and their trend',
  examples: ['ydeploy history --env production', 'ydeploy history --limit 5 --json'],
  options: (cmd) => cmd.option('--limit <n>', 'how many deployments', '10'),
  async run(input) {
    const [{ openContext }, { readHistory }, { parseLimit }, { dataPaint, dataColor }, { renderHistory }] =
      await Promise.all([
        import('../context.js'),
        import('../inspect/history.js'),
        import('../inspect/options.js'),
        import('../output/logline.js'),
        import('../output/table.js'),
      ]);
    const limit = parseLimit(input.options.limit, 'history');
    const ctx = await openContext(input);
    const entries = await readHistory(ctx, limit);
    const colored = { color: input.globals.color, env: input.env, interactive: ctx.reporter.interactive };
    // The trend chart fits the terminal (COLUMNS when stdout is not one), and is coloured as the text is.
    const width = process.stdout.columns || Number(input.env.COLUMNS) || 80;
    ctx.reporter.data(renderHistory(entries, dataPaint(colored), { width, color: dataColor(colored) }));
    ctx.reporter.result({ deployments: entries });
    return 0;
  },
});
