// `npm run bench -- report`: how long report.html takes to render fully in headless Chromium
// (until the page sets window.__reportReady: timeline drawn, every uPlot plot drawn, two frames
// painted) for a 100k-op history, against two baselines measured in the same browser: a trivial
// page of the same byte size (just loading and parsing that much HTML/JSON) and a 1k-op report.
// Also how long writeReport takes in Node.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { hasChromium, launchChromium } from '../lib/report/browser.ts'
import { writeSyntheticRun } from '../lib/report/fixture.ts'
import { writeReport } from '../lib/report/report.ts'
import type { BenchSection } from './main.ts'

const REPEATS = 5

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Milliseconds from navigation start until the page sets window.__reportReady, median of runs. */
async function timeToReady(browser: Browser, path: string): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < REPEATS; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(pathToFileURL(path).href)
    const ready = await page.waitForFunction(
      () => (globalThis as { __reportReady?: number }).__reportReady,
      null,
      {
        timeout: 60_000,
      },
    )
    times.push((await ready.jsonValue()) as number)
    await page.close()
  }
  return median(times)
}

/** A page of `bytes` bytes that embeds that much JSON, parses it and is then ready. */
function trivialPage(path: string, bytes: number): void {
  const head = '<!doctype html><html><body><p>baseline</p><script type="application/json" id="d">["'
  const tail =
    '"]</script><script>JSON.parse(document.getElementById("d").textContent);requestAnimationFrame(()=>requestAnimationFrame(()=>{window.__reportReady=performance.now()}))</script></body></html>'
  writeFileSync(path, head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail)
}

export default async function (): Promise<BenchSection[]> {
  if (!hasChromium())
    return [{ title: 'report rendering', rows: [], notes: ['skipped: /usr/bin/chromium is missing'] }]
  const tmp = mkdtempSync(join(tmpdir(), 'report-bench-'))
  const browser = await launchChromium()
  try {
    const reports = []
    for (const ops of [1_000, 100_000, 200_000]) {
      const { run } = writeSyntheticRun(join(tmp, `ops${ops}`), { ops, concurrency: 10 })
      const t0 = performance.now()
      writeReport(run.dir)
      reports.push({
        ops,
        path: run.reportPath,
        writeMs: performance.now() - t0,
        bytes: statSync(run.reportPath).size,
      })
    }
    const big = reports[1]
    const baselinePath = join(tmp, 'baseline.html')
    trivialPage(baselinePath, big.bytes)
    const baseline = await timeToReady(browser, baselinePath)
    const small = await timeToReady(browser, reports[0].path)
    const large = await timeToReady(browser, big.path)
    const huge = reports[2]
    const hugeMs = await timeToReady(browser, huge.path)
    const mib = (b: number) => (b / 2 ** 20).toFixed(2)
    return [
      {
        title: `report rendering in headless Chromium (median of ${REPEATS} loads; target: 100k ops under 3000 ms)`,
        rows: [
          {
            page: `trivial page, same size as the 100k report`,
            'size MiB': mib(big.bytes),
            'ready ms': baseline.toFixed(0),
            'vs trivial': '1.00',
          },
          {
            page: 'report, 1k ops',
            'size MiB': mib(reports[0].bytes),
            'ready ms': small.toFixed(0),
            'vs trivial': (small / baseline).toFixed(2),
            'writeReport ms': reports[0].writeMs.toFixed(0),
          },
          {
            page: 'report, 100k ops',
            'size MiB': mib(big.bytes),
            'ready ms': large.toFixed(0),
            'vs trivial': (large / baseline).toFixed(2),
            'vs 1k report': (large / small).toFixed(2),
            'writeReport ms': big.writeMs.toFixed(0),
          },
          {
            page: 'report, 200k ops (headroom)',
            'size MiB': mib(huge.bytes),
            'ready ms': hugeMs.toFixed(0),
            'vs trivial': (hugeMs / baseline).toFixed(2),
            'vs 1k report': (hugeMs / small).toFixed(2),
            'writeReport ms': huge.writeMs.toFixed(0),
          },
        ],
        notes: [
          'ops are history lines (an invocation and a completion per call). "ready ms" is window.__reportReady (performance.now() after the timeline and all uPlot plots are drawn and two frames painted).',
          `100k-op report ${large < 3000 ? 'meets' : 'MISSES'} the 3 s target.`,
        ],
      },
    ]
  } finally {
    await browser.close()
    rmSync(tmp, { recursive: true, force: true })
  }
}
