// Drives Debian's Chromium (playwright-core, no downloaded browser) against a site served by
// `league serve`, and prints one JSON object of findings for tests/it/site.rs to assert on.
//
//   node site.mjs BASE_URL RELEASE_DIR [SCREENSHOT_DIR]
//
// BASE_URL is the served site's root ("http://127.0.0.1:PORT/"); RELEASE_DIR the release on
// disk, whose league-table.csv and metric-scores.csv the trust pages are read against.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [base, release, shots] = process.argv.slice(2);

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// As the machine's probe starts it: no background requests to Google's hosts.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// --- the release's CSVs -----------------------------------------------------------------------
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') { quoted = false; }
      else { cell += c; }
    } else if (c === '"') { quoted = true; }
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell.replace(/\r$/, '')); rows.push(row); row = []; cell = ''; }
    else { cell += c; }
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h.replace(/^\uFEFF/, ''), r[k]])));
}

function quarterDirs() {
  return readdirSync(release).filter((d) => /^\d{4}-\d{2}-Q\d$/.test(d)).sort();
}

function nhsFiles(quarter) {
  const league = [], scores = [];
  for (const g of readdirSync(join(release, quarter))) {
    const dir = join(release, quarter, g);
    if (existsSync(join(dir, 'league-table.csv'))) {
      league.push(...parseCsv(readFileSync(join(dir, 'league-table.csv'), 'utf8')));
      scores.push(...parseCsv(readFileSync(join(dir, 'metric-scores.csv'), 'utf8')));
    }
  }
  return { league, scores };
}

// --- the checks --------------------------------------------------------------------------------
const PAGES = {
  home: 'index.html',
  group: 'groups/acute.html',
  trust: 'trusts/RHW.html',
  metric: null, // the first metric in metrics/index.html
  methodology: 'methodology.html',
  find: 'trusts/index.html',
  data: 'data.html',
};

async function axe(browser, path) {
  // axe is injected as a script, which the pages' own policy forbids: this context bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + path, { waitUntil: 'load' });
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
  }));
  await context.close();
  return {
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    })),
    passes: result.passes.length,
  };
}

// Every request a page makes, with and without the script: none may leave the site.
async function network(browser, path, javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const requests = [];
  const violations = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  await context.close();
  return { requests: requests.length, outside: requests.filter((u) => !u.startsWith(base)), csp: violations };
}

// Tab through the page: every focusable element reached once, in document order, with a
// visible change of style when focused.
async function keyboard(browser, path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + path, { waitUntil: 'load' });
  const expected = await page.evaluate(() => {
    const all = document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex="0"]');
    return Array.from(all).filter((e) => !e.closest('[hidden]') && e.getClientRects().length > 0)
      .map((e, i) => { e.setAttribute('data-order', String(i)); return i; }).length;
  });
  const visited = [];
  const invisible = [];
  for (let k = 0; k < expected * 2 + 5; k += 1) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) { return null; }
      const on = getComputedStyle(e);
      const focused = [on.outlineStyle, on.outlineWidth, on.boxShadow, on.backgroundColor, on.color].join('|');
      e.blur();
      const off = getComputedStyle(e);
      const plain = [off.outlineStyle, off.outlineWidth, off.boxShadow, off.backgroundColor, off.color].join('|');
      e.focus();
      return { order: e.getAttribute('data-order'), tag: e.tagName, text: (e.textContent || e.id || '').trim().slice(0, 40), visible: focused !== plain };
    });
    if (!f || f.order === null) { continue; }
    if (visited.length && f.order === visited[0]) { break; }
    visited.push(f.order);
    if (!f.visible) { invisible.push(f); }
  }
  await context.close();
  const orders = visited.map(Number);
  const inOrder = orders.every((o, i) => i === 0 || o > orders[i - 1]);
  return { focusable: expected, reached: new Set(orders).size, inOrder, invisible };
}

// With the script off: every table and chart is in the page, every league row present.
async function withoutScript(browser) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const out = {};
  for (const [name, path] of Object.entries({ home: PAGES.home, group: PAGES.group, trust: PAGES.trust })) {
    await page.goto(base + path, { waitUntil: 'load' });
    out[name] = await page.evaluate(() => ({
      tables: document.querySelectorAll('table').length,
      charts: document.querySelectorAll('svg[role="img"] > title').length,
      rows: document.querySelector('#league') ? document.querySelectorAll('#league tbody tr').length : null,
      figures: document.querySelectorAll('[data-key]').length,
      sortButtons: document.querySelectorAll('.lt-sort').length,
    }));
  }
  await context.close();
  return out;
}

// With the script on: sorting by average orders the rows; searching "Tavistock" finds the trust.
async function withScript(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + PAGES.group, { waitUntil: 'load' });
  const header = page.locator('#league th[data-key="average_score"] button');
  await header.click();
  const ascending = await page.evaluate(() => {
    const cells = Array.from(document.querySelectorAll('#league tbody tr')).map((r) => {
      const k = Array.from(document.querySelectorAll('#league thead th')).findIndex((th) => th.getAttribute('data-key') === 'average_score');
      return parseFloat(r.cells[k].textContent);
    });
    return { sorted: cells.every((v, i) => i === 0 || v >= cells[i - 1]), ariaSort: document.querySelector('#league th[data-key="average_score"]').getAttribute('aria-sort') };
  });
  await header.click();
  const descending = await page.evaluate(() => document.querySelector('#league th[data-key="average_score"]').getAttribute('aria-sort'));
  // Filtering by region leaves only that region's rows.
  const filter = await page.evaluate(() => {
    const select = document.querySelector('select[id$="-filter-region"]');
    if (!select) { return null; }
    const value = select.options[1].value;
    select.value = value;
    select.dispatchEvent(new Event('change'));
    const k = Array.from(document.querySelectorAll('#league thead th')).findIndex((th) => th.getAttribute('data-key') === 'region');
    const shown = Array.from(document.querySelectorAll('#league tbody tr')).filter((r) => !r.hidden);
    return { value, shown: shown.length, allMatch: shown.every((r) => r.cells[k].textContent.trim() === value) };
  });
  await page.goto(base + PAGES.home, { waitUntil: 'load' });
  await page.fill('#search-q', 'Tavistock');
  const search = await page.evaluate(() => Array.from(document.querySelectorAll('#search-results a')).map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
  await context.close();
  return { ascending, descending, filter, search };
}

// Every figure on three trust pages read through the DOM, against the NHS England-layout files.
async function figures(browser, codes) {
  const quarter = quarterDirs().at(-1);
  const { league, scores } = nhsFiles(quarter);
  const context = await browser.newContext();
  const page = await context.newPage();
  const report = { compared: 0, mismatches: [] };
  const num = (s) => parseFloat(String(s).replace(/,/g, ''));
  const same = (a, b) => (isNaN(num(a)) || isNaN(num(b)) ? String(a).trim() === String(b).trim() : Math.abs(num(a) - num(b)) < 1e-9);
  const check = (code, what, page_, file) => {
    report.compared += 1;
    if (!same(page_, file)) { report.mismatches.push({ code, what, page: page_, file }); }
  };
  for (const code of codes) {
    await page.goto(`${base}trusts/${code}.html`, { waitUntil: 'load' });
    const shown = await page.evaluate(() => ({
      league: Object.fromEntries(Array.from(document.querySelectorAll('[data-csv*="/league_"][data-key]')).map((e) => [e.getAttribute('data-key'), e.textContent.trim()])),
      metrics: Array.from(document.querySelectorAll('#metrics tbody tr')).map((tr) => ({
        id: tr.getAttribute('data-metric'),
        valueId: tr.getAttribute('data-value-id'),
        fields: Object.fromEntries(Array.from(tr.querySelectorAll('[data-key]')).map((e) => [e.getAttribute('data-key'), e.textContent.trim()])),
      })),
    }));
    const row = league.find((r) => r.Trust_code === code);
    if (!row) { report.mismatches.push({ code, what: 'no row in league-table.csv' }); continue; }
    const [avgLo, avgHi] = row.Likely_range_of_average_score.split(' to ');
    const [rankLo, rankHi] = row.Likely_range_of_rank.split(' to ');
    const pairs = {
      rank: row.Rank, average_score: row.Average_score, average_likely_from: avgLo, average_likely_to: avgHi,
      rank_likely_from: rankLo, rank_likely_to: rankHi, segment: row.Segment, region: row.Region,
      financial_deficit: row.Trust_in_financial_deficit, recovery_support_programme: row.Recovery_support_programme,
    };
    for (const [key, file] of Object.entries(pairs)) {
      if (!(key in shown.league)) { report.mismatches.push({ code, what: `${key} not on the page` }); continue; }
      check(code, key, shown.league[key], file);
    }
    for (const m of shown.metrics) {
      const scoreRow = scores.find((r) => r.Trust_code === code && r.Metric_ID === m.id);
      const valueRow = m.valueId ? scores.find((r) => r.Trust_code === code && r.Metric_ID === m.valueId) : null;
      if (!scoreRow) { report.mismatches.push({ code, what: `${m.id} not in metric-scores.csv` }); continue; }
      check(code, `${m.id} score`, m.fields.score, scoreRow.Value);
      if (valueRow) {
        check(code, `${m.valueId} value`, m.fields.value, valueRow.Value);
        check(code, `${m.valueId} peer median`, m.fields.peer_median, valueRow.Median_value);
      }
    }
  }
  await context.close();
  return report;
}

// WCAG 1.4.10 reflow: at 320 CSS pixels no page scrolls sideways (a wide table scrolls in its
// own region instead).
async function reflow(browser) {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const out = {};
  for (const [name, path] of Object.entries(PAGES)) {
    await page.goto(base + path, { waitUntil: 'load' });
    out[name] = await page.evaluate(() => document.documentElement.scrollWidth);
  }
  await context.close();
  return out;
}

async function screenshots(browser) {
  const taken = [];
  for (const width of [320, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const [name, path] of Object.entries({ home: PAGES.home, group: PAGES.group, trust: PAGES.trust })) {
      await page.goto(base + path, { waitUntil: 'load' });
      const file = join(shots, `site-${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: false });
      taken.push(file);
    }
    await context.close();
  }
  return taken;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
try {
  const index = await (await fetch(base + 'metrics/index.html')).text();
  PAGES.metric = 'metrics/' + /href="([^"]+\.html)"/.exec(index.split('<main')[1])[1];
  const result = { pages: PAGES, axe: {}, network: {}, keyboard: {} };
  for (const [name, path] of Object.entries(PAGES)) {
    result.axe[name] = await axe(browser, path);
    result.network[name] = {
      script: await network(browser, path, true),
      noScript: await network(browser, path, false),
    };
  }
  for (const name of ['home', 'group', 'trust']) {
    result.keyboard[name] = await keyboard(browser, PAGES[name]);
  }
  result.noScript = await withoutScript(browser);
  result.script = await withScript(browser);
  result.figures = await figures(browser, ['RHW', 'RX9', 'RXT']);
  result.reflow = await reflow(browser);
  if (shots) { result.screenshots = await screenshots(browser); }
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}
