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
    stream.write('next\n');
    expect(chunks).toEqual(['progress\nanswer\n', 'next\n']);
    await nextTurn();
    expect(chunks).toEqual(['progress\nanswer\n', 'next\n']); // nothing was left to flush
    expect(done).toEqual(['answer']);
  });
});
