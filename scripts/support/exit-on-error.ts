/** Runs a script's main: an error prints one clear line (the stack only with DRIFTLINE_VERBOSE=1) and exits 1. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: Error) => {
      console.error(`error: ${process.env.DRIFTLINE_VERBOSE ? error.stack : error.message}`);
      process.exit(1);
    },
  );
}
