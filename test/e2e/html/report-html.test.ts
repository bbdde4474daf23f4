import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../../sim/cli/io.js';
import { main } from '../../../sim/cli/main.js';
import { chromiumPath, chromiumSkipReason } from './browser-env.js';

/** The little of a <canvas> the test reads (the project compiles without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

const SCENARIOS = ['capacity-exhaustion', 'clock-skew', 'az-layouts'];
const skip = chromiumSkipReason !== null;

describe.skipIf(skip)(`report.html in chromium${skip ? ` (skipped: ${chromiumSkipReason})` : ''}`, () => {
  let dir = '';
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-html-'));
    const io = bufferIo(dir);
    expect(await main(['run', ...SCENARIOS, '--out', join(dir, 'out')], io), io.err).toBe(0);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(join(dir, 'out', 'report.html')).href);
    await page.waitForSelector('body[data-ready]');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const section = (name: string): string => `section.scenario:has(h2:text-is("${name}"))`;

  it('shows every scenario by name, with its summary and expectations', async () => {
    expect(await page.locator('section.scenario h2').allTextContents()).toEqual(SCENARIOS);
    const summary = await page.locator(`${section('capacity-exhaustion')} table.summary`).innerText();
    expect(summary).toMatch(/refused by the API\s+accepted then failed\s+in flight/);
    expect(await page.locator(`${section('capacity-exhaustion')} table.expectations td.pass`).count()).toBeGreaterThan(0);
  });

  /** Pixels of a canvas in the given colour (uPlot draws each line in its own). */
  const pixelsOf = (canvas: Locator, rgb: [number, number, number]): Promise<{ w: number; h: number; n: number }> =>
    canvas.evaluate((c: Canvas, [r, g, b]) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - r) < 40 && Math.abs(d[i + 1]! - g) < 40 && Math.abs(d[i + 2]! - b) < 40 && d[i + 3]! > 100) n++;
      return { w: c.width, h: c.height, n };
    }, rgb);

  it('draws the capacity charts: canvases of non-zero size with the lines painted', async () => {
    const first = page.locator(`${section('capacity-exhaustion')} .group[data-by=pool] figure.chart`).first();
    await first.scrollIntoViewIfNeeded();
    const provisioned = await pixelsOf(first.locator('canvas'), [0x1f, 0x6f, 0xeb]);
    expect(provisioned.w).toBeGreaterThan(300);
    expect(provisioned.h).toBeGreaterThan(100);
    expect(provisioned.n).toBeGreaterThan(50);
    expect((await pixelsOf(first.locator('canvas'), [0xcf, 0x22, 0x2e])).n).toBeGreaterThan(50);
    expect(await first.locator('figcaption').innerText()).toContain('node1@thick#thick');
    // The other groupings are drawn when chosen.
    await page.locator(`${section('capacity-exhaustion')} .tabs button[data-by=type]`).click();
    const typeChart = page.locator(`${section('capacity-exhaustion')} .group[data-by=type] figure.chart`).first();
    expect(await typeChart.locator('figcaption').innerText()).toContain('volume type thick');
    expect((await pixelsOf(typeChart.locator('canvas'), [0x1f, 0x6f, 0xeb])).n).toBeGreaterThan(50);
  });

  it('the request table is searchable', async () => {
    const box = `${section('capacity-exhaustion')} .requests`;
    const all = await page.locator(`${box} .count`).innerText();
    expect(all).toMatch(/^showing 1-\d+ of \d+$/);
    await page.locator(`${box} input`).fill('one-more-thin');
    await expect.poll(() => page.locator(`${box} .count`).innerText()).toMatch(/of 1 matching/);
    const row = await page.locator(`${box} tbody tr`).innerText();
    expect(row).toContain('step:thin_full');
    expect(row).toContain('one-more-thin 10 GB volume type thin');
  });

  it('clicking a decision opens its explanation', async () => {
    const box = `${section('capacity-exhaustion')} .requests`;
    await page.locator(`${box} input`).fill('');
    await expect.poll(() => page.locator(`${box} .count`).innerText()).not.toMatch(/matching/);
    await page.locator(`${box} button.dec.bad`).first().click();
    const dialog = page.locator('dialog#explain');
    expect(await dialog.evaluate((d: { open: boolean }) => d.open)).toBe(true);
    expect(await dialog.locator('h3').innerText()).toContain('no valid backend');
    expect(await dialog.locator('pre').innerText()).toContain('CapacityFilter');
    await dialog.locator('button').click();
    // A placed volume's decision opens explain's story of it: every filter's verdict, the weighers, the choice.
    await page.locator(`${box} button.dec:not(.bad)`).first().click();
    const placed = await dialog.locator('pre').innerText();
    expect(placed).toMatch(/^ {2}decision: create_volume at t=\S+: placed on node1@thick#thick\n/);
    expect(placed).toContain('every verdict on every pool');
    expect(placed).toContain('chosen: node1@thick#thick');
    await dialog.locator('button').click();
    expect(await dialog.evaluate((d: { open: boolean }) => d.open)).toBe(false);
  });

  it('shows the timeline with clock offsets', async () => {
    const events = await page.locator(`${section('clock-skew')} table.events`).innerText();
    expect(events).toMatch(/clock offset [+-]\d/);
    expect(await page.locator(`${section('clock-skew')} .timeline rect`).count()).toBeGreaterThan(1);
  });

  it('logs no script error', () => {
    expect(errors).toEqual([]);
  });
});
