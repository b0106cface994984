// Opens real reports in headless Chromium, from disk and through `serve`, and checks that what a
// person looks at is drawn: timeline pixels (bars and shaded fault periods), the three uPlot
// canvases, the failing linearization and a transactional anomaly's cycle graph and words.
// The checker results come from running the real checkers on the generated histories.
// Screenshots are left in each run directory under $TMPDIR/jepsen-tikv-report-browser/store.
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { analyzeListAppend } from '../../checker/elle/index.ts'
import { analyze as analyzeLinearizable } from '../../checker/linearizable/index.ts'
import type { Op } from '../history/op.ts'
import type { Run } from '../run-store/store.ts'
import { type Served, serveStore } from '../serve/serve.ts'
import { CHROMIUM, hasChromium, launchChromium } from './browser.ts'
import { syntheticHistory, writeSyntheticRun } from './fixture.ts'
import { writeReport } from './report.ts'

const root = join(tmpdir(), 'jepsen-tikv-report-browser', 'store')
const skip = !hasChromium()
if (skip) console.warn(`report browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`)

/** A list-append history with a G-single (read skew) between two txns, and a partition. */
function listAppendHistory(): Op[] {
  const txns: [number, unknown[], unknown[]][] = [
    [
      0,
      [
        ['append', 'x', 1],
        ['append', 'y', 1],
      ],
      [
        ['append', 'x', 1],
        ['append', 'y', 1],
      ],
    ],
    [
      1,
      [
        ['r', 'x', null],
        ['r', 'y', null],
      ],
      [
        ['r', 'x', [1]],
        ['r', 'y', null],
      ],
    ],
    [2, [['r', 'y', null]], [['r', 'y', [1]]]],
  ]
  const h: Op[] = []
  const add = (op: Omit<Op, 'index'>) => h.push({ index: h.length, ...op })
  add({ time: 1e6, type: 'info', process: 'nemesis', f: 'start-partition', value: { n1: ['n2', 'n3'] } })
  txns.forEach(([process, inv, ok], i) => {
    add({ time: (2 + 2 * i) * 1e6, type: 'invoke', process, f: 'txn', value: inv })
    add({ time: (3 + 2 * i) * 1e6, type: 'ok', process, f: 'txn', value: ok })
  })
  add({ time: 9e6, type: 'info', process: 'nemesis', f: 'stop-partition' })
  return h
}

/** The parts of a DOM canvas used here (the project's tsconfig has no DOM lib). */
interface Canvas {
  width: number
  height: number
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
  }
}
const reportReady = () => (globalThis as { __reportReady?: number }).__reportReady

/** Non-blank pixels of a canvas, and how many are close to each given colour. */
function canvasPixels(page: Page, selector: string, colours: number[][]) {
  return page.$eval(
    selector,
    (el, cs) => {
      const c = el as unknown as Canvas
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      const near = cs.map(() => 0)
      let inked = 0
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) inked++
        cs.forEach((col, k) => {
          if (Math.abs(d[i] - col[0]) + Math.abs(d[i + 1] - col[1]) + Math.abs(d[i + 2] - col[2]) < 40)
            near[k]++
        })
      }
      return { width: c.width, height: c.height, inked, near }
    },
    colours,
  )
}

describe.skipIf(skip)('report in headless Chromium', () => {
  let browser: Browser
  let register: Run
  let listAppend: Run
  let served: Served

  beforeAll(async () => {
    rmSync(root, { recursive: true, force: true })
    const history = syntheticHistory({ ops: 4000, seed: 7, staleRead: true })
    const lin = await analyzeLinearizable(history, { model: 'cas-register', timeLimitMs: 60_000 })
    register = writeSyntheticRun(root, {
      name: 'register',
      history,
      results: { valid: lin.valid, checkers: { linearizable: lin } },
    }).run
    const laHistory = listAppendHistory()
    const la = await analyzeListAppend(laHistory, { model: 'serializable' })
    listAppend = writeSyntheticRun(root, {
      name: 'list-append',
      history: laHistory,
      results: { valid: la.valid, checkers: { 'list-append': la } },
    }).run
    for (const r of [register, listAppend]) {
      writeReport(r.dir)
      mkdirSync(join(r.dir, 'screenshots'), { recursive: true })
    }
    browser = await launchChromium()
    served = await serveStore({ root })
  })
  afterAll(async () => {
    await served?.close()
    await browser?.close()
  })

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith(served.url))
        errors.push(`network request: ${r.url()}`)
    })
    await page.goto(url)
    await page.waitForFunction(reportReady, null, {
      timeout: 30_000,
    })
    return { page, errors }
  }

  test('register report from disk: timeline, plots and the failing linearization are drawn', async () => {
    const { page, errors } = await open(pathToFileURL(register.reportPath).href)
    expect(errors).toEqual([])
    // Timeline: ok bars (green) and the partition/kill shading are on the canvas.
    const tl = await canvasPixels(page, '#timeline canvas', [
      [46, 157, 91],
      [214, 208, 237],
    ])
    expect(tl.width).toBeGreaterThan(800)
    expect(tl.near[0]).toBeGreaterThan(2000)
    expect(tl.near[1]).toBeGreaterThan(500)
    // Three uPlot plots, each with a sized canvas and ink on it; the latency plot shows ok points.
    for (const id of ['plot-latency', 'plot-quantiles', 'plot-rate']) {
      const p = await canvasPixels(page, `#${id} .uplot canvas`, [[46, 157, 91]])
      expect(p.width, id).toBeGreaterThan(300)
      expect(p.height, id).toBeGreaterThan(100)
      expect(p.inked, id).toBeGreaterThan(3000)
      if (id !== 'plot-quantiles') expect(p.near[0], id).toBeGreaterThan(200)
    }
    // Hovering a bar shows the op.
    const box = (await page.locator('#timeline canvas').boundingBox())!
    const x = await page.$eval('#timeline canvas', (el) => {
      const c = el as unknown as Canvas
      const d = c.getContext('2d').getImageData(0, 24, c.width, 1).data
      for (let i = 80; i < c.width; i++)
        if (d[4 * i] < 80 && d[4 * i + 1] > 130 && d[4 * i + 2] < 120) return i
      return -1
    })
    expect(x).toBeGreaterThan(0)
    await page.mouse.move(box.x + x + 0.5, box.y + 24)
    await expect
      .poll(() => page.locator('#timeline .tooltip').textContent())
      .toMatch(/^op \d+ · process \d+ · \w+ .* · ok · /)
    // Zooming redraws the timeline.
    const drawn = Number(await page.getAttribute('#timeline', 'data-drawn'))
    await page.mouse.wheel(0, -300)
    await expect
      .poll(async () => Number(await page.getAttribute('#timeline', 'data-drawn')))
      .toBeGreaterThan(drawn)
    // Drag-zooming a plot zooms the timeline to the same time range.
    const zoomedBy = Number(await page.getAttribute('#timeline', 'data-drawn'))
    await page.locator('#plot-rate').scrollIntoViewIfNeeded()
    const over = (await page.locator('#plot-rate .u-over').boundingBox())!
    await page.mouse.move(over.x + over.width * 0.3, over.y + 40)
    await page.mouse.down()
    await page.mouse.move(over.x + over.width * 0.5, over.y + 40, { steps: 5 })
    await page.mouse.up()
    await expect
      .poll(async () => Number(await page.getAttribute('#timeline', 'data-drawn')))
      .toBeGreaterThan(zoomedBy)
    // The failing linearization: prefix rows, the op that cannot be linearized, the states tried.
    const culprit = page.locator('.linearization tr.culprit')
    await expect.poll(() => culprit.isVisible()).toBe(true)
    expect(await culprit.textContent()).toContain('cannot be linearized')
    expect(await page.locator('.linearization tr.prefix').count()).toBeGreaterThan(0)
    expect(await page.locator('.linearization code.state').count()).toBeGreaterThan(0)
    // "show on timeline" zooms onto that op, which is outlined in black.
    const before = await canvasPixels(page, '#timeline canvas', [[17, 17, 17]])
    await culprit.getByRole('button', { name: 'show on timeline' }).click()
    await expect
      .poll(async () => (await canvasPixels(page, '#timeline canvas', [[17, 17, 17]])).near[0])
      .toBeGreaterThan(before.near[0] + 20)
    await page
      .locator('#timeline')
      .screenshot({ path: join(register.dir, 'screenshots', 'timeline-focus.png') })
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(register.dir, 'screenshots', 'report.png'), fullPage: true })
    await page.close()
  })

  test('list-append report from disk: the anomaly cycle graph and its explanation are visible', async () => {
    const { page, errors } = await open(pathToFileURL(listAppend.reportPath).href)
    expect(errors).toEqual([])
    const anomaly = page.locator('.anomaly').first()
    expect(await anomaly.locator('.tag').textContent()).toBe('G-single-item')
    const circles = anomaly.locator('svg.cycle .txn circle')
    expect(await circles.count()).toBe(2)
    for (const c of await circles.all()) {
      expect(await c.isVisible()).toBe(true)
      expect((await c.boundingBox())!.width).toBeGreaterThan(20)
    }
    expect(await anomaly.locator('svg.cycle path.edge').count()).toBe(2)
    expect(await anomaly.locator('svg.cycle .edge-label').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rw y=nil → 1$/), expect.stringMatching(/^wr x=1$/)]),
    )
    const words = anomaly.locator('pre.explanation')
    expect(await words.isVisible()).toBe(true)
    expect(await words.textContent()).toMatch(/T1 < T2, because .*a contradiction!/s)
    expect(await anomaly.locator('table.txns').textContent()).toContain('"append","x",1')
    await anomaly.screenshot({ path: join(listAppend.dir, 'screenshots', 'anomaly.png') })
    await page.screenshot({ path: join(listAppend.dir, 'screenshots', 'report.png'), fullPage: true })
    await page.close()
  })

  test('serve: the run list links to reports that render over HTTP, and to node logs', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 500 } })
    await page.goto(served.url)
    const rows = page.locator('#runs tr.run')
    expect(await rows.count()).toBe(2)
    expect(await page.locator('#runs').textContent()).toMatch(/INVALID[\s\S]*register[\s\S]*partition, kill/)
    await page.screenshot({ path: join(register.dir, 'screenshots', 'serve.png'), fullPage: true })
    await page
      .locator('#runs tr.run', { hasText: 'register' })
      .getByRole('link', { name: 'report' })
      .first()
      .click()
    await page.waitForFunction(reportReady)
    const tl = await canvasPixels(page, '#timeline canvas', [[46, 157, 91]])
    expect(tl.near[0]).toBeGreaterThan(1000)
    await page.getByRole('link', { name: 'etcd.log' }).first().click()
    expect(await page.textContent('body')).toContain('started')
    await page.close()
    expect(existsSync(join(register.dir, 'screenshots', 'serve.png'))).toBe(true)
  })
})
