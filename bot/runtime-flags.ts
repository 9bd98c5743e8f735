/**
 * The Node flags every Olympus process runs with: the `olympus` command's shebang (bot/cli.ts),
 * package.json's `start` and `olympus` scripts and the Dockerfile's entrypoint give them, and
 * test/unit/runtime-flags.test.ts keeps those in step with this list. The bench starts its Olympus
 * processes with them too, so its figures are those of Olympus as it runs.
 *
 * `--max-semi-space-size=4`: V8's young generation grows with the allocations of start-up (migrations,
 * module loading) to 16 MB a semi-space and stays that size while the process idles; capped at 4 MB,
 * idle RSS is ~10 MB lower, and per-event CPU and peak events/s at the Slack receiver did not change
 * (bench/slack-ack.ts, A/B). A process that allocates far more per second can be started with a larger
 * value (`node --max-semi-space-size=16 dist/bot/cli.js start`).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
