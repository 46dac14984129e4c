/**
 * The service's memory after a full collection, asked of its inspector (`node --inspect`): the heap
 * in use is what the service still holds; RSS, even then, also counts memory V8 and malloc keep for
 * reuse. A heap snapshot would say more, but writing one grows RSS by far more than the heap itself.
 */
import WebSocket from 'ws';
import { z } from 'zod';

const reply = z.object({ id: z.number(), result: z.unknown().optional(), error: z.object({ message: z.string() }).optional() });
const evaluated = z.object({ result: z.object({ value: z.string() }) });
const usage = z.object({ rss: z.number(), heapTotal: z.number(), heapUsed: z.number(), external: z.number() });

/** The inspector's address, from the line `node --inspect=127.0.0.1:0` writes to stderr. */
export function inspectorUrl(output: readonly string[]): string {
  for (const line of output) {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
    if (url) return url;
  }
  throw new Error('the service did not say where its inspector listens');
}

export interface MemoryAfterCollection {
  /** Resident bytes once the garbage is collected. */
  rss: number;
  /** Bytes V8 keeps for its heap, in use or not. */
  heapTotal: number;
  /** Bytes of JavaScript objects still reachable. */
  heapUsed: number;
  /** Bytes held outside the heap by reachable objects (buffers, among them). */
  external: number;
}

/** Collects garbage in the inspected process, then reads its memory usage. */
export async function memoryAfterCollection(url: string): Promise<MemoryAfterCollection> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (data: WebSocket.RawData) => {
        const message = reply.safeParse(JSON.parse(data.toString()));
        if (!message.success || message.data.id !== id) return;
        socket.off('message', onMessage);
        if (message.data.error) reject(new Error(`${method}: ${message.data.error.message}`));
        else resolve(message.data.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const result = evaluated.parse(await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }));
    return usage.parse(JSON.parse(result.result.value));
  } finally {
    socket.close();
  }
}
