import type { Command } from 'commander';
import { z } from 'zod';
import { quarantinePage } from '../../../lib/db/dashboard/data-queries';
import { describeQuarantineReasons, quarantineReasons } from '../../../lib/db/quarantine';
import { getSnapshot } from '../../../lib/db/snapshots';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const DataOptions = z.object({
  snapshot: z.coerce.number({ message: 'must be a snapshot id' }).int().positive(),
  quarantine: z.boolean().default(false),
  limit: z.coerce.number().int().positive().max(1_000).default(20),
  json: z.boolean().default(false),
});

/** How much of a quarantined row's raw text a terminal line shows. */
const RAW_SHOWN = 120;

export function registerDataCommand(program: Command, ctx: CliContext): void {
  program
    .command('data')
    .description('Show an ingested snapshot: rows read, accepted and quarantined, and why rows were quarantined; --quarantine lists them.')
    .requiredOption('-s, --snapshot <id>', 'the snapshot id (a run\'s status and summary name it)')
    .option('--quarantine', 'list the quarantined rows: line, reason and raw text')
    .option('--limit <n>', 'with --quarantine: at most this many rows, in source order', '20')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  driftline data --snapshot 12 --quarantine')
    .action(async (raw: unknown) => {
      const options = parseOptions(DataOptions, raw);
      const snapshot = await getSnapshot(ctx.pool, options.snapshot);
      const reasons = await quarantineReasons(ctx.pool, snapshot.id, 5);
      const rows = options.quarantine ? (await quarantinePage(ctx.pool, snapshot.id, 1, options.limit)).items : undefined;
      const summary = {
        id: snapshot.id,
        pipeline: snapshot.pipeline,
        digest: snapshot.digest,
        fetchedAt: snapshot.fetchedAt,
        source: snapshot.source,
        rowsRead: snapshot.rowsRead,
        rowCount: snapshot.rowCount,
        quarantinedCount: snapshot.quarantinedCount,
        filteredCount: snapshot.filteredCount,
      };
      output(options.json, { ...summary, quarantineReasons: reasons.reasons, ...(rows && { quarantined: rows }) }, () => {
        const lines = [
          table([
            ['snapshot', `#${snapshot.id} of ${snapshot.pipeline}, fetched ${snapshot.fetchedAt.toISOString()} (${snapshot.digest.slice(0, 12)}…)`],
            ['rows', `${snapshot.rowsRead} read: ${snapshot.rowCount} accepted, ${snapshot.quarantinedCount} quarantined`],
            ...(snapshot.filteredCount > 0 ? [['filtered', `${snapshot.filteredCount} more left out by source.where`] as [string, string]] : []),
            ...(reasons.kinds > 0 ? [['why', describeQuarantineReasons(reasons)] as [string, string]] : []),
          ]),
        ];
        if (rows) {
          lines.push(rows.length === 0 ? '  no quarantined rows' : rows.map((row) => `  line ${row.line}: ${row.reason}\n      ${shown(row.raw)}`).join('\n'));
          if (rows.length < snapshot.quarantinedCount) lines.push(`  … the first ${rows.length} of ${snapshot.quarantinedCount} (--limit)`);
        }
        return lines.join('\n');
      });
    });
}

function shown(raw: string): string {
  const line = JSON.stringify(raw);
  return line.length > RAW_SHOWN ? `${line.slice(0, RAW_SHOWN)}…` : line;
}
