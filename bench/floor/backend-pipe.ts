/**
 * The part every floor proxy shares: one echo backend over stdio, initialized once, with requests relayed under
 * ids of our own and their answers handed back under the client's. Writes to the backend leave once per turn
 * of the event loop, as the router's do.
 *
 * A floor proxy does the least any MCP router must do per call (parse, re-id, serialize, forward) and nothing
 * else: no routing, no actors, no metrics, no timeouts, no validation. It is not a product; it shows how much
 * of the direct figure a Node.js process in the middle can keep on this machine at all.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ECHO_BACKEND = join(__dirname, '..', 'echo-backend.js');

export interface JsonRpc {
  jsonrpc: '2.0';
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

export class BackendPipe {
  private readonly child = spawn(process.execPath, [ECHO_BACKEND], { stdio: ['pipe', 'pipe', 'inherit'] });
  private readonly waiting = new Map<string, (answer: JsonRpc) => void>();
  private nextId = 1;
  private unread = '';
  private queued: string[] = [];

  constructor() {
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.unread += chunk;
      let nl: number;
      while ((nl = this.unread.indexOf('\n')) >= 0) {
        const answer = JSON.parse(this.unread.slice(0, nl)) as JsonRpc;
        this.unread = this.unread.slice(nl + 1);
        const deliver = this.waiting.get(String(answer.id));
        if (!deliver) continue;
        this.waiting.delete(String(answer.id));
        deliver(answer);
      }
    });
    this.child.on('exit', () => process.exit(0));
    this.call(
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'floor', version: '1' } },
      },
      () => this.send({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
  }

  /** Relays a request; `answer` gets the backend's reply with the caller's id back in place. */
  call(request: JsonRpc, answer: (reply: JsonRpc) => void): void {
    const theirs = request.id;
    const ours = `floor-${this.nextId++}`;
    this.waiting.set(ours, (reply) => answer({ ...reply, id: theirs }));
    this.send({ ...request, id: ours });
  }

  send(message: JsonRpc): void {
    if (this.queued.length === 0) setImmediate(this.flush);
    this.queued.push(`${JSON.stringify(message)}\n`);
  }

  private readonly flush = () => {
    this.child.stdin.write(this.queued.join(''));
    this.queued = [];
  };

  stop(): void {
    this.child.kill();
  }
}

/** The answer a floor proxy gives to initialize itself (it serves the backend's tools as they are). */
export function initializeResult(request: JsonRpc): JsonRpc {
  const version = (request.params?.protocolVersion as string | undefined) ?? '2025-06-18';
  return {
    jsonrpc: '2.0',
    id: request.id,
    result: {
      protocolVersion: version,
      capabilities: { tools: {} },
      serverInfo: { name: 'floor-proxy', version: '1' },
    },
  };
}
