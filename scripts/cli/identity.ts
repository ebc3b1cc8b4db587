import { userInfo } from 'node:os';

/**
 * Who runs the CLI when `--by` is not given: $USER, else the operating system's name for this
 * user, else the numeric user id. Containers, cron and CI often have no $USER, and some have no
 * passwd entry either: acting must never fail for want of a name.
 */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.USER?.trim() || env.LOGNAME?.trim();
  if (fromEnv) return fromEnv;
  try {
    const name = userInfo().username.trim();
    if (name) return name;
  } catch {
    // No passwd entry for this uid (a container started with --user 12345).
  }
  return `uid ${process.getuid?.() ?? 'unknown'}`;
}

/** The `--by` option of every command that acts; its value is checked by the command's schema (Person). */
export const BY_OPTION = ['--by <name>', 'who acts, for the audit log (default: $USER, else the OS user name)'] as const;
