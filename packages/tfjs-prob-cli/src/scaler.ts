/**
 * Per-column standardization, fitted on training data and stored with the
 * model: z = (v - mean) / std. A constant column gets std 1 (it carries no
 * information; dividing by 0 would make NaNs).
 */
export interface Scaler {
  mean: number[];
  std: number[];
}

/** Fits a scaler on a row-major `[rows * cols]` matrix (population std, as the UCI protocol). */
export function fitScaler(data: ArrayLike<number>, rows: number, cols: number): Scaler {
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += data[i * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j]! - mean[j]!;
      std[j]! += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(std[j]! / rows);
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? s : 1;
  }
  return { mean, std };
}

/** Standardizes a row-major matrix into float32 (what the network consumes). */
export function applyScaler(s: Scaler, data: ArrayLike<number>, rows: number): Float32Array {
  const cols = s.mean.length;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = (data[i * cols + j]! - s.mean[j]!) / s.std[j]!;
  }
  return out;
}

/** Sum of log std over the columns: the Jacobian term that converts a standardized log density to original units. */
export function logDetScale(s: Scaler): number {
  return s.std.reduce((a, v) => a + Math.log(v), 0);
}
