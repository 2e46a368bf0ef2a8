import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, vumObservation } from './support/requests';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/** The figure as the page shows it (da-DK: 1.234), as a number. */
const asNumber = (text: string | null): number => Number((text ?? '').replace(/\./g, '').replace(',', '.'));

describe('/ops in a real browser', () => {
  let hub: RunningHub;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: run scripts/install-test-peers.sh (apt-get install chromium)`);
    hub = await startHub();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    // The browser first: its open event stream would otherwise hold the hub's server open.
    await browser?.close();
    await hub?.stop();
  });

  it('shows live figures that change as events arrive, and saves a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1100 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${hub.url}/ops`);
    await page.waitForSelector('body[data-opdateret]', { timeout: 15_000 });
    const before = asNumber(await page.textContent('#head'));
    const kommandoerBefore = asNumber(await page.textContent('#kommandoer'));
    expect(Number.isFinite(before)).toBe(true);
    expect(await page.textContent('#forbindelse')).toContain('live');

    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() });
    expect(afgiv.status).toBe(201);
    const id: string = afgiv.json.id;
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
    await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
    const vum = await hub.call('POST', `/bestillinger/${id}/vum-observationer`, {
      token: tilbud,
      body: vumObservation({ borgerTagerIkkeImod: true, paavirkerIndsatsen: false }),
    });
    expect(vum.status).toBe(201);
    const head = await hub.store.headPosition();

    // The page gets there by itself (server-sent events): no reload.
    // The page's CSP forbids eval, so functions, not strings; the test's tsconfig has no DOM types.
    const figure = ([sel, min]: readonly [string, number]) => {
      const doc = (
        globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
      ).document;
      return Number((doc.querySelector(sel)?.textContent ?? '').replace(/\./g, '')) >= min;
    };
    await page.waitForFunction(figure, ['#head', head] as const, { timeout: 15_000 });
    await page.waitForFunction(figure, ['#krav-aabne', 1] as const, { timeout: 15_000 });
    expect(asNumber(await page.textContent('#head'))).toBeGreaterThan(before);
    expect(asNumber(await page.textContent('#kommandoer'))).toBe(kommandoerBefore + 4);
    expect(await page.textContent('#fagsystemer')).toContain('tilbud-4711');
    expect(await page.textContent('#projektioner')).toContain('sagsoversigt');
    expect(await page.locator('#spark-head polyline').count()).toBe(1);
    const text = (await page.textContent('body')) ?? '';
    expect(text).not.toContain('0101704321');
    expect(text).toContain('Hændelser i loggen');
    // No external assets: every request went to the hub itself.
    expect(requests.filter((u) => !u.startsWith(hub.url))).toEqual([]);
    expect(errors).toEqual([]);

    const dir = join(process.cwd(), 'test-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'ops.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    console.log(`ops screenshot: ${file}`);
  }, 60_000);
});
