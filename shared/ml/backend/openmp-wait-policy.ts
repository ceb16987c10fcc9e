/**
 * How oneDNN's OpenMP threads (the native convolutions, where the addon is built with oneDNN)
 * wait between passes. By default libgomp's idle threads spin for a while before they sleep; on
 * a machine shared with other work that spinning takes CPU from everything else, and in the
 * baseline's training steps it cost more than the convolutions themselves saved
 * (bench/README.md). Passive threads sleep at once. libgomp reads OMP_WAIT_POLICY once, when it
 * is loaded, so this must run before the addon is required; a value the user set is kept.
 */
export function chooseOpenmpWaitPolicy(env: NodeJS.ProcessEnv = process.env): void {
  if (env.OMP_WAIT_POLICY === undefined || env.OMP_WAIT_POLICY === '') env.OMP_WAIT_POLICY = 'passive';
}
