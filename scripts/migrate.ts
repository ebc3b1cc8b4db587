import { loadConfig, redactUrl } from '../lib/config';
import { ensureDatabase, migrateUp } from '../lib/db/migrate';
import { runMain } from './support/exit-on-error';

runMain(async () => {
  const { DATABASE_URL } = loadConfig();
  await ensureDatabase(DATABASE_URL);
  const applied = await migrateUp(DATABASE_URL);
  console.log(`${redactUrl(DATABASE_URL)}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
});
