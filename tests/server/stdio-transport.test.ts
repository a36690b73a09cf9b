/**
 * The stdio front's transport counts the client's requests in flight: the front writes at once when none is
 * left but the one being answered (see coalesce-writes.ts), so the count must not stick.
 */
import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineTransport } from '../../src/server/stdio-transport';

function line(message: object): string {
  return `${JSON.stringify(message)}\n`;
}

describe('LineTransport, the requests in flight', () => {
  it('counts requests until answered or cancelled, and leaves open listen streams out', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const transport = new LineTransport(input, output);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.start();

    input.write(line({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } }));
    input.write(line({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo' } }));
    input.write(line({ jsonrpc: '2.0', id: 3, method: 'subscriptions/listen', params: {} }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toHaveLength(3);
    expect(transport.requestsInFlight).toBe(2);

    await transport.send({ jsonrpc: '2.0', id: 1, result: {} } as JSONRPCMessage);
    expect(transport.requestsInFlight).toBe(1);
    input.write(line({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.requestsInFlight).toBe(0);

    // The listen stream ends with its answer: its id is free again, and the count stays right.
    await transport.send({ jsonrpc: '2.0', id: 3, result: {} } as JSONRPCMessage);
    input.write(line({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo' } }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.requestsInFlight).toBe(1);
    await transport.close();
  });
});
