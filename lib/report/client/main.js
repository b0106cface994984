// Browser code of report.html: reads the embedded JSON, draws the timeline and the plots, and
// sets window.__reportReady (ms since navigation start) once everything has been painted.
/* global ReportTimeline, ReportPlots */
;(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent)
  const typeNames = ['ok', 'fail', 'info', 'pending']
  const typeColors = ['#2e9d5b', '#d64545', '#e69a1f', '#9aa0a6']
  const palette = [
    [120, 100, 200],
    [230, 120, 40],
    [40, 150, 200],
    [200, 60, 130],
    [90, 160, 60],
    [150, 110, 70],
  ]
  const faults = [...new Set(data.periods.map((p) => p.fault))]
  const faultColor = (f, a) => {
    const c = palette[Math.max(0, faults.indexOf(f)) % palette.length]
    return `rgba(${c[0]},${c[1]},${c[2]},${a})`
  }
  const legend = document.getElementById('timeline-legend')
  const item = (color, text) => {
    const span = document.createElement('span')
    const sw = document.createElement('i')
    sw.className = 'sw'
    sw.style.background = color
    span.append(sw, text)
    legend.append(span)
  }
  typeNames.forEach((t, i) => {
    item(typeColors[i], t)
  })
  for (const f of faults) item(faultColor(f, 0.5), `fault: ${f}`)
  if (data.events.length) item('#555', 'other nemesis op')
  if (data.marks.length) item('#111', 'op a checker singled out (▼)')

  const opts = { typeNames, typeColors, faultColor }
  const timeline = ReportTimeline(document.getElementById('timeline'), data, opts)
  // A zoom in any plot zooms the timeline; a reset (null) shows the whole history again.
  opts.onZoom = (min, max) => {
    if (min == null || max == null) timeline.setView(0, data.duration)
    else timeline.setView(min * 1000, max * 1000)
  }
  for (const b of document.querySelectorAll('[data-focus-op]')) {
    const mark = data.marks.find((m) => String(m.index) === b.dataset.focusOp)
    if (!mark) {
      b.remove()
      continue
    }
    b.addEventListener('click', () => {
      timeline.focus(mark.call)
      document.getElementById('timeline').scrollIntoView({ behavior: 'smooth', block: 'center' })
    })
  }
  const plots = ReportPlots(data, opts)
  plots.drawn.then(() =>
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        window.__reportReady = performance.now()
        document.body.dataset.ready = 'true'
      }),
    ),
  )
})()
