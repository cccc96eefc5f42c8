/**
 * V8 flags every long-running process of the app starts with: the Dockerfile's ENTRYPOINT and
 * `npm start` repeat them (test/ops/node-flags.test.ts checks both), and the bench starts its
 * worker processes with them (test/delivery/procs.ts) so it measures what is deployed.
 *
 * --max-semi-space-size=16: V8 sizes the young generation from the machine's memory, not the
 * process's needs: on a 24 GiB host a delivery worker's new space grew to 128 MiB (two 64 MiB
 * semi-spaces) around a live heap of 29 MiB after a full GC, and RSS peaked at 250-296 MiB
 * (the scale run's per-worker target is under 300). With 16 MiB semi-spaces (the size Node used
 * before 22) the same load peaked at 162-196 MiB, all 5,556 alerts posted on time.
 */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16"];
