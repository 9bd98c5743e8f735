/**
 * The console's project page as a person sees it, in Debian's Chromium (playwright-core) against a real
 * `olympus start` with the embedded PostgreSQL and the scripted LLM server: a client confirms a brief
 * through the console, the planner answers a role that does not exist until the round's model calls are
 * spent, and the project page shows the brief with human labels (no field names, no JSON) and the
 * planning failure in plain words. At a desktop width (1280) and a phone's (390) it takes a screenshot
 * (the path is printed) and measures the visible text-bearing elements: no two overlap, none runs off
 * the viewport sideways.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { intakeTurn, planTask } from '../support/scripted-project.js';
import { until } from '../support/until.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test-artifacts/console-layout',
);
if (!existsSync(CHROMIUM) && process.env.CI) {
  throw new Error(`console-layout: ${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
}
const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`console-layout: ${CHROMIUM} is missing (apt-get install chromium); skipped\n`);
}

const CLIENT = 'dora@example.com';
const BRIEF_TEXT = [
  'Title: Morning Pocket Digest',
  'Summary: A daily email with the articles I saved to Pocket, sent to my inbox every morning at 7am',
  'Features: fetch my Pocket articles, write a short summary of each, send the digest by email',
  'Delivery: email',
  'Data sources: Pocket',
  'Deadline: 2031-05-01, first digest by 2031-04-15',
  'Budget: 300 USD',
  'I live in Europe/Berlin.',
].join('\n');

const DRAFT = {
  title: 'Morning Pocket Digest',
  summary: 'A daily email with the articles I saved to Pocket, sent to my inbox every morning at 7am',
  features: [
    { name: 'fetch my Pocket articles', priority: 'must' as const },
    { name: 'write a short summary of each', priority: 'must' as const },
    { name: 'send the digest by email', priority: 'must' as const },
  ],
  deliveryChannels: ['email'],
  dataSources: ['Pocket'],
  timeline: { deadline: '2031-05-01', milestones: [{ name: 'first digest', date: '2031-04-15' }] },
  budget: { amount: 300, currency: 'USD' },
  timezone: 'Europe/Berlin',
};

/** What one text-bearing element of the page occupies. */
interface TextBox {
  path: string;
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Layout {
  viewport: number;
  scrollWidth: number;
  boxes: TextBox[];
  /** Pairs of elements (neither inside the other) whose boxes overlap by more than a pixel each way. */
  overlaps: Array<[TextBox, TextBox]>;
  /** Elements that reach past the viewport's left or right edge. */
  overflows: TextBox[];
}

/** The text-bearing elements the layout check measures: headings, labels, values, cells, the failure box. */
const TEXT_SELECTOR = [
  'h1',
  'h2',
  'h3',
  'h4',
  'p',
  'dt',
  'dd',
  'th',
  'td',
  'label',
  'button',
  'header a',
  'header strong',
  '.badge',
  '.project-status',
  '.stalled',
  'pre',
  'time',
  'svg',
].join(',');

/** The little of the DOM `measure` uses (the test program is compiled without the DOM library). */
interface DomRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}
interface DomElement {
  tagName: string;
  textContent: string | null;
  parentElement: DomElement | null;
  style: { transform: string };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): DomRect;
  contains(other: DomElement): boolean;
}
interface BrowserGlobals {
  document: {
    body: DomElement;
    documentElement: { clientWidth: number; scrollWidth: number };
    fonts: { ready: Promise<unknown> };
    querySelectorAll(selector: string): Iterable<DomElement>;
  };
  scrollX: number;
  scrollY: number;
  getComputedStyle(element: DomElement): { display: string; visibility: string; opacity: string };
}

/** Measures the page in the browser (the function is serialised into it; it closes over nothing). */
function measure(selector: string): Layout {
  const browser = globalThis as unknown as BrowserGlobals;
  const { document } = browser;
  const visible = (element: DomElement): boolean => {
    const style = browser.getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0)
      return false;
    const rect = element.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  const name = (element: DomElement): string => {
    const parts: string[] = [];
    for (let at: DomElement | null = element; at && at !== document.body; at = at.parentElement) {
      const cls = at.getAttribute('class');
      parts.unshift(`${at.tagName.toLowerCase()}${cls ? `.${cls.trim().split(/\s+/).join('.')}` : ''}`);
    }
    return parts.join(' > ');
  };
  const elements = [...document.querySelectorAll(selector)].filter(
    (element) => visible(element) && (element.tagName.toLowerCase() === 'svg' || element.textContent?.trim()),
  );
  const boxes = elements.map((element): TextBox => {
    const rect = element.getBoundingClientRect();
    return {
      path: name(element),
      text: (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60),
      left: rect.left + browser.scrollX,
      top: rect.top + browser.scrollY,
      right: rect.right + browser.scrollX,
      bottom: rect.bottom + browser.scrollY,
    };
  });
  const overlaps: Array<[TextBox, TextBox]> = [];
  for (let i = 0; i < elements.length; i++) {
    for (let j = i + 1; j < elements.length; j++) {
      const a = elements[i]!;
      const b = elements[j]!;
      if (a.contains(b) || b.contains(a)) continue;
      const boxA = boxes[i]!;
      const boxB = boxes[j]!;
      const wide = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
      const high = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
      // Table cells share their collapsed borders: a pixel's touch is not an overlap.
      if (wide > 1 && high > 1) overlaps.push([boxA, boxB]);
    }
  }
  const viewport = document.documentElement.clientWidth;
  return {
    viewport,
    scrollWidth: document.documentElement.scrollWidth,
    boxes,
    overlaps,
    overflows: boxes.filter((box) => box.left < -0.5 || box.right > viewport + 0.5),
  };
}

describeWithChromium('the project page lays out its brief and planning failure without overlaps', () => {
  let running: Running;
  let llm: FakeLlmServer;
  let base: string;
  let browser: Browser;
  let projectId: string;
  const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-console-layout-'));
  chmodSync(cwd, 0o755);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    llm = await startFakeLlmServer();
    // The planner names a role that is not one of the four, every time.
    llm.respond((body) => {
      const format = body.response_format as { json_schema?: { name?: string } } | undefined;
      if (format?.json_schema?.name !== 'project_plan') return undefined;
      return {
        content: JSON.stringify({
          summary: 'A developer builds it.',
          tasks: [{ ...planTask('build', 'developer', []), covers: ['F1', 'F2', 'F3'] }],
        }),
      };
    });
    const port = await findFreePort();
    const env = cleanEnv({
      OLYMPUS_HTTP_PORT: String(port),
      OLYMPUS_EMBEDDED_PG_PORT: String(await findFreePort()),
      OLYMPUS_JOBS_PROCESS_EVERY: '1 second',
      OPENAI_API_KEY: 'sk-test-key',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    });
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], { env, cwd });
    await waitForStatus(`${base}/readyz`, 200, 90_000, running);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    await llm?.close();
  });

  async function say(text: string): Promise<{ state: string; projectId?: string }> {
    const response = await fetch(`${base}/api/console/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: CLIENT, text }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { state: string; projectId?: string };
  }

  test('a confirmed brief whose planning fails stops for a TO', async () => {
    llm.reply(intakeTurn({ draftUpdates: DRAFT, reply: 'Here is the brief.' }));
    await say(BRIEF_TEXT);
    llm.reply(intakeTurn({ intent: 'confirm', reply: 'Wonderful.' }));
    const done = await say('Yes, that is right');
    expect(done.state).toBe('handed_off');
    projectId = done.projectId!;
    expect(projectId).toBeDefined();
    await until(
      async () => {
        const detail = (await (await fetch(`${base}/api/console/projects/${projectId}`)).json()) as {
          stalled: unknown[];
        };
        return detail.stalled.length > 0;
      },
      90_000,
      500,
    );
  }, 120_000);

  for (const width of [1280, 390]) {
    test(`at ${width} px the brief has human labels, the failure is in words, and no text overlaps`, async () => {
      const page: Page = await browser.newPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`${base}/#projects/${projectId}`);
        const failure = page.locator('.stalled[data-stalled=plan]');
        await failure.waitFor({ timeout: 30_000 });
        await page.locator('.project .brief').waitFor();

        const labels = await page.locator('.project .brief dt').allTextContents();
        expect(labels).toEqual(
          expect.arrayContaining(['Title', 'Summary', 'Features', 'Delivery channels', 'Deadline', 'Budget']),
        );
        expect(labels).toEqual(expect.arrayContaining(['Data sources', 'Milestones', 'Time zone']));
        const brief = (await page.locator('.project .brief').textContent()) ?? '';
        for (const raw of ['deliveryChannels', 'dataSources', 'timeline', 'timezone', 'priority', '{', '"'])
          expect(brief).not.toContain(raw);
        const value = (field: string) =>
          page.locator(`.project .brief [data-field=${field}] dd`).textContent();
        await expect(value('budget')).resolves.toBe('300 USD');
        await expect(value('deadline')).resolves.toBe('2031-05-01');
        await expect(value('milestones')).resolves.toBe('first digest by 2031-04-15');
        await expect(value('deliveryChannels')).resolves.toBe('email');
        await expect(value('features')).resolves.toContain('send the digest by email (must)');

        await expect(failure.locator('.stalled-title').textContent()).resolves.toMatch(
          /^Planning failed after \d+ model calls$/,
        );
        const reason = (await failure.locator('.stalled-reason').textContent()) ?? '';
        expect(reason).toMatch(/^The planner could not turn the brief into a usable plan/);
        expect(reason).not.toMatch(/LLM_|schema|developer|apollo|\{/);
        await expect(failure.locator('.stalled-error').textContent()).resolves.toMatch(/role/);
        await expect(page.locator('.project-status').textContent()).resolves.toBe('planning failed');

        // The fonts and the live updates settle before the page is measured.
        await page.evaluate(async () => {
          await (globalThis as unknown as BrowserGlobals).document.fonts.ready;
        });
        const file = path.join(ARTIFACTS, `project-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await page.screenshot({ path: file.replace(/\.png$/, '-first-screen.png') });
        process.stdout.write(`console-layout: screenshot at ${width} px: ${file}\n`);

        const layout = await page.evaluate(measure, TEXT_SELECTOR);
        const show = (box: TextBox) =>
          `${box.path} "${box.text}" [${Math.round(box.left)},${Math.round(box.top)} → ${Math.round(box.right)},${Math.round(box.bottom)}]`;
        process.stdout.write(
          `console-layout: ${width} px: ${layout.boxes.length} text boxes, ${layout.overlaps.length} overlaps, ${layout.overflows.length} past the edge\n`,
        );
        expect(layout.boxes.length).toBeGreaterThan(20);
        expect(layout.boxes.some((box) => box.path.endsWith('div.stalled'))).toBe(true);
        expect(layout.overlaps.map(([a, b]) => `${show(a)}\n  overlaps ${show(b)}`)).toEqual([]);
        expect(layout.overflows.map(show)).toEqual([]);
        expect(layout.scrollWidth).toBeLessThanOrEqual(layout.viewport);

        // The check sees an overlap when there is one: the brief's values pulled over their labels.
        // (Through the CSSOM: the console's CSP refuses inline style sheets.)
        await page.evaluate(() => {
          const { document } = globalThis as unknown as BrowserGlobals;
          for (const value of document.querySelectorAll('.project .brief dd'))
            value.style.transform = 'translate(-4rem, -1rem)';
        });
        expect((await page.evaluate(measure, TEXT_SELECTOR)).overlaps.length).toBeGreaterThan(0);
      } finally {
        await page.close();
      }
    }, 60_000);
  }
});
