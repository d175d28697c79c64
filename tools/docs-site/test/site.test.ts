/**
 * Builds the API site with the guides, serves it on localhost and drives Debian's Chromium
 * through playwright-core: every package page and guide page loads without console or page
 * errors, every internal link on them resolves (HTTP 200, and the anchor exists), and the search
 * box finds a symbol and navigates to it. Screenshots go to test-artifacts/docs-site/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { serveDirectory } from '../src';
import type { StaticServer } from '../src';
import { artifactsDir, repoRoot } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env['CI']) {
  throw new Error(`${CHROMIUM} is missing and CI is set: install Debian's chromium package (bash scripts/setup.sh does).`);
}
if (!haveChromium) {
  console.warn(`site.test.ts skipped: ${CHROMIUM} not found (install Debian's chromium package; with CI set this fails instead)`);
}
const describeSite = haveChromium ? describe : describe.skip;

const siteDir = path.join(artifactsDir, 'site');
const screenshots = artifactsDir;

/** Page paths (from the site root) of the packages and the guides, from the sources. */
function expectedPages(): { packages: string[]; guides: string[] } {
  const packages = fs
    .readdirSync(path.join(repoRoot, 'packages'))
    .filter((d) => fs.existsSync(path.join(repoRoot, 'packages', d, 'package.json')))
    .map((d) => JSON.parse(fs.readFileSync(path.join(repoRoot, 'packages', d, 'package.json'), 'utf8')) as { name: string })
    .map((p) => `modules/${p.name.replace(/[^a-z0-9-]/gi, '_')}.html`);
  const guides = fs
    .readdirSync(path.join(repoRoot, 'docs', 'guides'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => {
      const title = /^---\n[\s\S]*?^title:\s*"?(.*?)"?\s*$/m.exec(fs.readFileSync(path.join(repoRoot, 'docs', 'guides', f), 'utf8'))?.[1];
      if (!title) throw new Error(`docs/guides/${f} has no title in its front matter`);
      return `documents/${title.replace(/[^a-z0-9()-]/gi, '_')}.html`;
    });
  return { packages: packages.sort(), guides: guides.sort() };
}

describeSite('the docs site in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  const bodies = new Map<string, Promise<{ status: number; ids: Set<string> }>>();

  /** Fetches a page once (without its fragment): its status and the ids/names it defines. */
  function fetchTarget(url: string): Promise<{ status: number; ids: Set<string> }> {
    const key = url.split('#')[0] as string;
    let entry = bodies.get(key);
    if (!entry) {
      entry = fetch(key).then(async (res) => {
        const ids = new Set<string>();
        if (res.ok && (res.headers.get('content-type') ?? '').startsWith('text/html')) {
          for (const m of (await res.text()).matchAll(/\s(?:id|name)="([^"]+)"/g)) ids.add(m[1] as string);
        } else {
          await res.arrayBuffer();
        }
        return { status: res.status, ids };
      });
      bodies.set(key, entry);
    }
    return entry;
  }

  beforeAll(async () => {
    // The site: TypeDoc with the repository's typedoc.json, into a scratch folder.
    fs.rmSync(siteDir, { recursive: true, force: true });
    const typedoc = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', siteDir], { cwd: repoRoot, encoding: 'utf8' });
    if (typedoc.status !== 0) throw new Error(`typedoc failed (${typedoc.status}):\n${typedoc.stdout}\n${typedoc.stderr}`);
    fs.mkdirSync(screenshots, { recursive: true });
    server = await serveDirectory(siteDir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page, failing on console errors, page errors and failed requests. */
  async function open(pagePath: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    // Chromium asks every site for /favicon.ico on its own; TypeDoc makes none
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    const res = await page.goto(server.url + pagePath, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    // the navigation tree and the search index load after "load"
    await page.waitForSelector('#tsd-nav-container a', { timeout: 10_000 });
    return { page, problems };
  }

  it('has a page for every package and every guide', () => {
    const { packages, guides } = expectedPages();
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const p of [...packages, ...guides]) expect(fs.existsSync(path.join(siteDir, p)) ? p : `missing ${p}`).toBe(p);
  });

  it('loads the home, package and guide pages cleanly, with every internal link resolving', async () => {
    const { packages, guides } = expectedPages();
    const broken: string[] = [];
    let checked = 0;
    for (const pagePath of ['index.html', ...packages, ...guides]) {
      const { page, problems } = await open(pagePath);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as unknown as { href: string }).href));
      const title = await page.title();
      await page.screenshot({ path: path.join(screenshots, `${pagePath.replace(/[/.]/g, '_')}.png`), fullPage: false });
      await page.close();
      expect({ pagePath, problems }).toEqual({ pagePath, problems: [] });
      expect(title.length).toBeGreaterThan(0);
      for (const href of new Set(hrefs)) {
        if (!href.startsWith(server.url)) continue; // external: not fetched (closed network)
        const [, fragment] = href.split('#') as [string, string | undefined];
        const target = await fetchTarget(href);
        checked++;
        if (target.status !== 200) broken.push(`${pagePath} → ${href}: HTTP ${target.status}`);
        else if (fragment && !target.ids.has(decodeURIComponent(fragment))) broken.push(`${pagePath} → ${href}: no element #${fragment}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  }, 60_000);

  it('finds WfpKitDevice with the search box and opens its page', async () => {
    const { page, problems } = await open('index.html');
    await page.click('#tsd-search-trigger');
    await page.fill('#tsd-search-input', 'WfpKitDevice');
    const first = page.locator('#tsd-search-results li a').first();
    await first.waitFor({ timeout: 10_000 });
    const results = await page.locator('#tsd-search-results li').allTextContents();
    expect(results.some((r) => r.includes('WfpKitDevice'))).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'search.png') });
    const exact = page.locator('#tsd-search-results li a', { hasText: /(^|\.)WfpKitDevice$/ }).first();
    await Promise.all([page.waitForURL(/WfpKitDevice\.html/), (await exact.count()) > 0 ? exact.click() : first.click()]);
    expect(page.url()).toMatch(/\/classes\/_wfpkit_ioctl-client\.WfpKitDevice\.html$/);
    expect(await page.locator('h1').first().textContent()).toMatch(/WfpKitDevice/);
    await page.screenshot({ path: path.join(screenshots, 'search-result.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);
});
