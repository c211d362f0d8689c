// http(s) loads are bounded: a server that never finishes is cut off after timeoutMs, and one that
// sends more than the byte caps (model.json or weights) is cut off there; both errors name the URL.
import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/index.js';

let server: Server;
let base: string;
const sockets = new Set<import('node:net').Socket>();

const modelJson = JSON.stringify({
  modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { units: 1, batch_input_shape: [null, 1], name: 'd' } }] } },
  weightsManifest: [{ paths: ['endless.bin'], weights: [{ name: 'd/kernel', shape: [1, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
});

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/stall/model.json') return; // never answers
    if (req.url === '/endless/model.json' || req.url === '/endless-json/model.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url.startsWith('/endless-json')) {
        const chunk = ' '.repeat(64 * 1024);
        const pump = (): void => void (res.write(chunk) ? setImmediate(pump) : res.once('drain', pump));
        res.write('{"a": ');
        pump();
        return;
      }
      res.end(modelJson);
      return;
    }
    if (req.url === '/endless/endless.bin') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => void (!res.destroyed && (res.write(chunk) ? setImmediate(pump) : res.once('drain', pump)));
      pump();
      return;
    }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((r) => server.close(r));
});

describe('loadModel over http: timeout and byte caps', () => {
  it('a server that never answers is abandoned after timeoutMs, naming the URL', async () => {
    await expect(loadModel(`${base}/stall/model.json`, { timeoutMs: 200 })).rejects.toThrow(/loadModel: http:\/\/127\.0\.0\.1:\d+\/stall\/model\.json did not complete within 200 ms \(option timeoutMs\)/);
  });

  it('an endless model.json stops at maxModelJsonBytes; endless weights stop at maxWeightBytes', async () => {
    await expect(loadModel(`${base}/endless-json/model.json`, { maxModelJsonBytes: 1 << 20 })).rejects.toThrow(/model file .*endless-json\/model\.json sent more than 1048576 bytes \(option maxModelJsonBytes\)/);
    const before = tf.memory().numTensors;
    await expect(loadModel(`${base}/endless/model.json`, { maxWeightBytes: 1 << 20 })).rejects.toThrow(/weights file .*endless\/endless\.bin sent more than 1048576 bytes \(option maxWeightBytes\)/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
