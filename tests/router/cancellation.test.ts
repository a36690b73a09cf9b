import { Cancellation } from '../../src/cancellation';

describe('Cancellation: one request cancelled, cheaply', () => {
  it('tells each listener once, with the reason; a removed listener and a late one are not called', () => {
    const c = new Cancellation();
    const heard: string[] = [];
    const removed = () => heard.push('removed');
    c.addEventListener('abort', () => heard.push(`first: ${String(c.reason)}`));
    c.addEventListener('abort', removed);
    c.addEventListener('abort', () => heard.push('second'));
    c.removeEventListener('abort', removed);
    expect(c.signal.aborted).toBe(false);
    c.abort('deadline');
    c.abort('again');
    c.addEventListener('abort', () => heard.push('late'));
    expect(heard).toEqual(['first: deadline', 'second']);
    expect(c.signal).toMatchObject({ aborted: true, reason: 'deadline' });
  });
});
