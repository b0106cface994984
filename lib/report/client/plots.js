// Browser code of report.html: latency-over-time (one point per op, coloured by outcome),
// latency quantiles and throughput plots, drawn by uPlot, with fault periods shaded behind the
// series. Plots share a cursor and zoom (drag to zoom, double-click to reset).
/* global uPlot */
// biome-ignore lint/correctness/noUnusedVariables: used by main.js, inlined after this file
function ReportPlots(data, opts) {
  const tl = data.timeline
  const plots = []
  let syncing = false
  const drawn = []

  function shade(u) {
    const { ctx, bbox } = u
    ctx.save()
    for (const p of data.periods) {
      const x0 = Math.max(bbox.left, u.valToPos(p.start / 1000, 'x', true))
      const x1 = Math.min(bbox.left + bbox.width, u.valToPos(p.end / 1000, 'x', true))
      if (x1 <= x0) continue
      ctx.fillStyle = opts.faultColor(p.fault, 0.14)
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height)
    }
    ctx.restore()
  }

  function make(el, series, columns, yOpts) {
    const width = Math.max(300, el.clientWidth)
    let ready
    drawn.push(
      new Promise((r) => {
        ready = r
      }),
    )
    const u = new uPlot(
      {
        width,
        height: 260,
        cursor: { sync: { key: 'report-time' }, drag: { x: true, y: false } },
        scales: { x: { time: false }, y: yOpts.scale },
        axes: [
          { label: 'seconds since start', size: 40 },
          { label: yOpts.label, size: 64 },
        ],
        series: [{ label: 't (s)', value: (_, v) => (v == null ? '' : v.toFixed(3)) }, ...series],
        hooks: {
          drawClear: [shade],
          draw: [
            (self) => {
              // uPlot sets its initial scales asynchronously; remember them as the reset view.
              self.initialX ??= { min: self.scales.x.min, max: self.scales.x.max }
              el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1)
              ready()
            },
          ],
          setScale: [
            (self, key) => {
              // Scale changes before the first draw are uPlot's initial auto-ranging, not a zoom.
              if (key !== 'x' || syncing || !self.initialX) return
              syncing = true
              const { min, max } = self.scales.x
              const reset = min === self.initialX.min && max === self.initialX.max
              for (const o of plots) if (o !== self) o.setScale('x', reset ? o.initialX : { min, max })
              opts.onZoom(reset ? null : min, reset ? null : max)
              syncing = false
            },
          ],
        },
      },
      columns,
      el,
    )
    plots.push(u)
    return u
  }

  // Latency of every op, at its completion time.
  const order = Array.from(tl.start.keys())
    .filter((i) => tl.type[i] < 3)
    .sort((a, b) => tl.end[a] - tl.end[b])
  const xs = order.map((i) => tl.end[i] / 1000)
  const byType = [0, 1, 2].map((k) =>
    order.map((i) => (tl.type[i] === k ? Math.max(0.01, tl.end[i] - tl.start[i]) : null)),
  )
  const pointSeries = (k) => ({
    label: opts.typeNames[k],
    stroke: opts.typeColors[k],
    fill: opts.typeColors[k],
    paths: () => null,
    points: { show: true, size: 3, width: 0, fill: opts.typeColors[k], stroke: opts.typeColors[k] },
    value: (_, v) => (v == null ? '' : `${v.toFixed(1)} ms`),
  })
  const logMs = { scale: { distr: 3 }, label: 'latency (ms)' }
  make(document.getElementById('plot-latency'), [0, 1, 2].map(pointSeries), [xs, ...byType], logMs)

  const perf = data.perf
  const mid = perf.t.map((t) => t + perf.bucket / 2)
  const q = (label, color, values, dash) => ({
    series: {
      label,
      stroke: color,
      width: 1.5,
      dash,
      spanGaps: false,
      value: (_, v) => (v == null ? '' : `${v.toFixed(1)} ms`),
    },
    values: values.map((v) => (v == null ? null : Math.max(0.01, v))),
  })
  const qs = [
    q('p50', '#1f77b4', perf.quantiles.p50),
    q('p95', '#9467bd', perf.quantiles.p95),
    q('p99', '#d62728', perf.quantiles.p99),
    q('max', '#7f7f7f', perf.quantiles.max, [4, 3]),
  ]
  make(
    document.getElementById('plot-quantiles'),
    qs.map((s) => s.series),
    [mid, ...qs.map((s) => s.values)],
    logMs,
  )

  const rates = ['ok', 'fail', 'info'].map((k, j) => ({
    label: k,
    stroke: opts.typeColors[j],
    width: 1.5,
    value: (_, v) => (v == null ? '' : `${v.toFixed(1)}/s`),
  }))
  make(document.getElementById('plot-rate'), rates, [mid, perf.rate.ok, perf.rate.fail, perf.rate.info], {
    scale: { range: (_, _min, max) => [0, Math.max(1, max * 1.1)] },
    label: 'ops/s',
  })

  window.addEventListener('resize', () => {
    for (const u of plots) u.setSize({ width: Math.max(300, u.root.parentElement.clientWidth), height: 260 })
  })
  return { plots, drawn: Promise.all(drawn) }
}
