/**
 * Bounded http(s) loading: a `fetch` for tfjs's HTTP handler that aborts a response that takes
 * longer than `timeoutMs` or grows past its byte budget (`maxModelJsonBytes` for model.json,
 * `maxWeightBytes` shared by all the weights files of one load), so an endless or stalled
 * server cannot exhaust memory or hang a load.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { LoadLimits } from './limits.js';

type FetchFn = (input: string, init?: RequestInit, options?: { isBinary?: boolean }) => Promise<Response>;

/** Reads `res`'s body into memory, failing once it passes `cap` bytes. */
async function readCapped(res: Response, cap: number, url: string, what: string, option: string, controller: AbortController): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    controller.abort();
    throw new InvalidArgumentError(`loadModel: ${what} ${url} declares ${declared} bytes, more than ${cap} (option ${option})`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw new InvalidArgumentError(`loadModel: ${what} ${url} sent more than ${cap} bytes (option ${option})`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** A `fetchFunc` for `tf.io.http` applying `limits` (one instance per load: the weights budget is shared). */
export function boundedFetch(limits: Required<LoadLimits>, inner?: FetchFn): FetchFn {
  const base: FetchFn = inner ?? ((u, i) => tf.env().platform.fetch(u, i) as Promise<Response>);
  let weightBudget = limits.maxWeightBytes;
  return async (url, init, options) => {
    const binary = options?.isBinary === true;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
    const outer = init?.signal;
    if (outer) outer.addEventListener('abort', () => controller.abort(), { once: true });
    try {
      const res = await base(url, { ...init, signal: controller.signal }, options);
      if (!res.ok) return res;
      const body = binary
        ? await readCapped(res, weightBudget, url, 'weights file', 'maxWeightBytes', controller)
        : await readCapped(res, limits.maxModelJsonBytes, url, 'model file', 'maxModelJsonBytes', controller);
      if (binary) weightBudget -= body.byteLength;
      return new Response(body as Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (e) {
      if (controller.signal.aborted && !(e instanceof InvalidArgumentError) && !outer?.aborted) {
        throw new InvalidArgumentError(`loadModel: ${url} did not complete within ${limits.timeoutMs} ms (option timeoutMs)`);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
}
