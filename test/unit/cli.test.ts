import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli/main.js';
import { bufferIo } from '../../sim/cli/io.js';

describe('cinder-sim CLI shell', () => {
  it('a wrong flag is a clear error with exit code 2 and no stack trace', async () => {
    const io = bufferIo();
    const code = await main(['bench', 'engine', '--procesess', '10'], io);
    expect(code).toBe(2);
    expect(io.err).toMatch(/Unknown argument: procesess/);
    expect(io.err).not.toMatch(/\n\s+at /);
  });
  it('an unknown benchmark names the valid choices', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engin'], io)).toBe(2);
    expect(io.err).toMatch(/Choices: "engine"/);
  });
  it('a bad value names the flag and the value', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engine', '--processes', '-3'], io)).toBe(2);
    expect(io.err).toMatch(/--processes must be a positive integer, got -3/);
  });
  it('no command asks for one', async () => {
    const io = bufferIo();
    expect(await main([], io)).toBe(2);
    expect(io.err).toMatch(/Name a command/);
  });
  it('bench engine prints one JSON line with its figures', async () => {
    const io = bufferIo();
    expect(await main(['bench', 'engine', '--processes', '100', '--events', '20000', '--json'], io)).toBe(0);
    const figures = JSON.parse(io.out) as Record<string, unknown>;
    expect(figures).toMatchObject({ events: 20000, processes: 100 });
    for (const k of ['seconds', 'events_per_s', 'peak_rss_mb', 'bare_heap_events_per_s']) expect(typeof figures[k]).toBe('number');
  });
  it('the demo shows node3 going down with its clock behind, and back up when NTP steps it', async () => {
    const io = bufferIo();
    expect(await main(['demo', '--seed', '42'], io)).toBe(0);
    expect(io.out.split('\n')[0]).toBe('seed: 42');
    expect(io.out).toMatch(/t= 121s {2}cinder-volume node3@lvm {2}down {2}\(clock offset -90.0 s\)/);
    expect(io.out).toMatch(/t= 601s {2}cinder-volume node3@lvm {2}up/);
  });
});
