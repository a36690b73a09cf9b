import { Writable } from 'node:stream';
import { coalesceWrites } from '../../src/protocol/coalesce-writes';

/** A pipe stand-in that records each write it receives, and can hold writes back to build up backpressure. */
function recorder(highWaterMark = 16 * 1024) {
  const chunks: string[] = [];
  let hold: (() => void) | undefined;
  let holding = false;
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      if (holding) hold = callback;
      else callback();
    },
  });
  return {
    stream,
    chunks,
    holdWrites: () => (holding = true),
    release: () => {
      holding = false;
      const callback = hold;
      hold = undefined;
      callback?.();
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  it('sends the lines written in one turn as one write, in order', async () => {
    const { stream, chunks } = recorder();
    coalesceWrites(stream);
    stream.write('a\n');
    stream.write('b\n');
    stream.write('c\n');
    expect(chunks).toEqual([]);
    await nextTurn();
    expect(chunks).toEqual(['a\nb\nc\n']);
    stream.write('d\n');
    await nextTurn();
    expect(chunks).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('calls each write’s callback once the joined write is done', async () => {
    const { stream } = recorder();
    coalesceWrites(stream);
    const done: string[] = [];
    stream.write('a\n', () => done.push('a'));
    stream.write('b\n', 'utf8', () => done.push('b'));
    await nextTurn();
    await nextTurn();
    expect(done).toEqual(['a', 'b']);
  });

  it('keeps the order when a Buffer is written between lines, and end() sends what is queued first', async () => {
    const { stream, chunks } = recorder();
    coalesceWrites(stream);
    stream.write('a\n');
    stream.write(Buffer.from('raw\n'));
    stream.write('b\n');
    stream.end('last\n');
    await new Promise((resolve) => stream.once('finish', resolve));
    expect(chunks.join('')).toBe('a\nraw\nb\nlast\n');
  });

  it('tells writers to wait for drain once the stream is over its high-water mark, and drains', async () => {
    const { stream, holdWrites, release } = recorder(8);
    coalesceWrites(stream);
    holdWrites();
    expect(stream.write('0123456789\n')).toBe(true); // queued: the stream has not seen it yet
    await nextTurn();
    expect(stream.write('more\n')).toBe(false); // the stream holds more than its mark
    const drained = new Promise((resolve) => stream.once('drain', resolve));
    release();
    await drained;
    await nextTurn();
  });

  it('writes at once, after what is queued, when the peer is idle', async () => {
    const { stream, chunks } = recorder();
    let idle = false;
    coalesceWrites(stream, () => idle);
    stream.write('progress\n');
    expect(chunks).toEqual([]); // the peer has other work of ours: this waits for the turn's end
    idle = true;
    const done: string[] = [];
    stream.write('answer\n', () => done.push('answer'));
    expect(chunks).toEqual(['progress\nanswer\n']); // one write, in order, before the turn ends
    await nextTurn();
    expect(done).toEqual(['answer']);
  });

  it('writes one call at a time at once, each in its own write', async () => {
    const { stream, chunks } = recorder();
    coalesceWrites(stream, () => true);
    stream.write('first\n');
    expect(chunks).toEqual(['first\n']);
    await nextTurn();
    stream.write('second\n');
    expect(chunks).toEqual(['first\n', 'second\n']);
  });

  it('once a write carried several messages, waits for the turn’s end until one carries a single one', async () => {
    const { stream, chunks } = recorder();
    let idle = false;
    coalesceWrites(stream, () => idle);
    // A burst to a busy peer: one joined write.
    stream.write('a\n');
    stream.write('b\n');
    await nextTurn();
    expect(chunks).toEqual(['a\nb\n']);
    // The peer has answered them all, and the next burst begins: its first message waits for the rest.
    idle = true;
    stream.write('c\n');
    expect(chunks).toEqual(['a\nb\n']);
    idle = false;
    stream.write('d\n');
    await nextTurn();
    expect(chunks).toEqual(['a\nb\n', 'c\nd\n']);
    // One message in a turn: the traffic is one call at a time again, and the next idle write goes at once.
    stream.write('e\n');
    await nextTurn();
    idle = true;
    stream.write('f\n');
    expect(chunks).toEqual(['a\nb\n', 'c\nd\n', 'e\n', 'f\n']);
  });
});
