/** The benchmark's regression data: 8 inputs, one smooth target, fixed seed. */
export const INPUTS = 8;

/** N rows of standard-normal-ish inputs and y = sin(x₀) + x₁x₂/2 + 0.1·noise (float32). */
export function benchData(n: number): { x: Float32Array; y: Float32Array } {
  let s = 0x9e3779b9;
  // xorshift32 → uniform(0,1); Box–Muller → normal. Any fixed generator does for timing.
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const x = new Float32Array(n * INPUTS);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < INPUTS; j++) x[i * INPUTS + j] = normal();
    y[i] = Math.sin(x[i * INPUTS]) + 0.5 * x[i * INPUTS + 1] * x[i * INPUTS + 2] + 0.1 * normal();
  }
  return { x, y };
}

/** Command-line arguments shared by the runners: rows, batch size, epochs. */
export function runnerArgs(): { rows: number; batch: number; epochs: number } {
  const [rows, batch, epochs] = process.argv.slice(2).map(Number);
  return { rows: rows || 100_000, batch: batch || 256, epochs: epochs || 5 };
}

/**
 * Prints the runner's result line read by the orchestrator: seconds of every epoch, last
 * loss, and (when measured) the process's CPU seconds of every epoch.
 */
export function report(epochSeconds: number[], finalLoss: number, cpuSeconds?: number[]): void {
  process.stdout.write(`${JSON.stringify({ epochSeconds, finalLoss, cpuSeconds })}\n`);
}
