/**
 * A minimal HTTP/1.1 client on one keep-alive TCP connection, one exchange at a time: what a closed-loop client
 * needs and nothing more. It exists because node:http's client costs several times more CPU per request, and on
 * a small machine the load generator's CPU is taken from the server it measures.
 *
 * Understands Content-Length and chunked bodies, and bodies that end with the connection. The body is handed
 * over as it arrives (for text/event-stream) and whole at the end.
 */
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { TransportError } from './session';

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  /** Called with each piece of decoded body text as it arrives. */
  onText?: (text: string, headers: Record<string, string>) => void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'until-close';

export class RawHttpConnection {
  private socket?: Socket;
  private connecting?: Promise<Socket>;
  private buffer: Buffer = Buffer.alloc(0);
  private current?: {
    resolve(response: RawResponse): void;
    reject(error: Error): void;
    exchange: RawExchange;
    phase: Phase;
    status: number;
    headers: Record<string, string>;
    remaining: number;
    decoder: StringDecoder;
    text: string;
    keepAlive: boolean;
  };

  constructor(
    private readonly host: string,
    private readonly port: number,
    /** The source address to connect from (a loopback alias, to look like another client host). */
    private readonly localAddress?: string,
  ) {}

  /** Sends one request (head without the final blank line is built here) and resolves with the response. */
  async request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
    exchange: RawExchange = {},
  ): Promise<RawResponse> {
    if (this.current) throw new Error('RawHttpConnection: one exchange at a time');
    const socket = await this.open();
    const payload = Buffer.from(body, 'utf8');
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${payload.length}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head += '\r\n';
    return new Promise<RawResponse>((resolve, reject) => {
      this.current = {
        resolve,
        reject,
        exchange,
        phase: 'head',
        status: 0,
        headers: {},
        remaining: 0,
        decoder: new StringDecoder('utf8'),
        text: '',
        keepAlive: true,
      };
      socket.write(payload.length > 0 ? head + body : head);
    });
  }

  /** Drops the connection; a pending exchange fails. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.fail(new TransportError('connection closed by the client'));
  }

  private open(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true, localAddress: this.localAddress });
      socket.once('connect', () => {
        this.connecting = undefined;
        this.socket = socket;
        this.buffer = Buffer.alloc(0);
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (error) => {
        this.connecting = undefined;
        reject(new TransportError(`${this.host}:${this.port}: ${error.message}`));
        this.fail(new TransportError(`${this.host}:${this.port}: ${error.message}`));
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        const current = this.current;
        if (current && current.phase === 'until-close') this.finish();
        else this.fail(new TransportError('connection closed by the server'));
      });
    });
    return this.connecting;
  }

  private fail(error: Error): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    current.reject(error);
  }

  private finish(): void {
    const current = this.current!;
    const tail = current.decoder.end();
    if (tail) this.text(tail);
    this.current = undefined;
    if (!current.keepAlive) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    current.resolve({ status: current.status, headers: current.headers, body: current.text });
  }

  private text(piece: string): void {
    const current = this.current!;
    current.text += piece;
    current.exchange.onText?.(piece, current.headers);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.current && this.buffer.length > 0) {
      if (!this.step()) break;
    }
    if (!this.current) this.buffer = Buffer.alloc(0); // nothing is expected: drop stray bytes
  }

  /** Consumes what it can of the buffer for the current phase; false when it needs more bytes. */
  private step(): boolean {
    const current = this.current!;
    const buf = this.buffer;
    switch (current.phase) {
      case 'head': {
        const end = buf.indexOf(CRLFCRLF);
        if (end < 0) return false;
        const lines = buf.toString('latin1', 0, end).split('\r\n');
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
        if (!status) {
          this.socket?.destroy();
          this.fail(new TransportError(`not an HTTP response: ${lines[0]!.slice(0, 80)}`));
          return false;
        }
        current.status = Number(status[1]);
        for (let i = 1; i < lines.length; i++) {
          const header = lines[i]!;
          const colon = header.indexOf(':');
          if (colon > 0) current.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
        }
        current.keepAlive = !/close/i.test(current.headers.connection ?? '') && lines[0]!.startsWith('HTTP/1.1');
        this.buffer = buf.subarray(end + 4);
        const te = current.headers['transfer-encoding'];
        const length = current.headers['content-length'];
        if (current.status === 204 || current.status === 304 || (current.status >= 100 && current.status < 200)) {
          if (current.status < 200) {
            current.phase = 'head'; // an interim response: the real one follows
            current.headers = {};
            return true;
          }
          this.finish();
          return true;
        }
        if (te && /chunked/i.test(te)) current.phase = 'chunk-size';
        else if (length !== undefined) {
          current.remaining = Number(length);
          current.phase = 'length';
          if (current.remaining === 0) this.finish();
        } else current.phase = 'until-close';
        return true;
      }
      case 'length': {
        const take = Math.min(current.remaining, buf.length);
        this.text(current.decoder.write(buf.subarray(0, take)));
        current.remaining -= take;
        this.buffer = buf.subarray(take);
        if (current.remaining === 0) this.finish();
        return true;
      }
      case 'chunk-size': {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return false;
        const size = parseInt(buf.toString('latin1', 0, eol), 16);
        this.buffer = buf.subarray(eol + 2);
        if (!Number.isFinite(size)) {
          this.socket?.destroy();
          this.fail(new TransportError('bad chunk size'));
          return false;
        }
        current.remaining = size;
        current.phase = size === 0 ? 'trailer' : 'chunk-data';
        return true;
      }
      case 'chunk-data': {
        const take = Math.min(current.remaining, buf.length);
        this.text(current.decoder.write(buf.subarray(0, take)));
        current.remaining -= take;
        this.buffer = buf.subarray(take);
        if (current.remaining === 0) current.phase = 'chunk-crlf';
        return true;
      }
      case 'chunk-crlf': {
        if (buf.length < 2) return false;
        this.buffer = buf.subarray(2);
        current.phase = 'chunk-size';
        return true;
      }
      case 'trailer': {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return false;
        this.buffer = buf.subarray(eol + 2);
        if (eol === 0) this.finish(); // the blank line that ends the (usually empty) trailer
        return true;
      }
      case 'until-close': {
        this.text(current.decoder.write(buf));
        this.buffer = Buffer.alloc(0);
        return true;
      }
    }
  }
}
