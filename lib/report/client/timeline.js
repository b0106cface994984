// Browser code of report.html: the ops timeline on a <canvas>. One row per worker, one bar per
// call from invocation to completion coloured by its outcome, fault periods shaded behind.
// Only the visible time window and rows are drawn (binary search per row), so 100k ops stay
// fast; wheel zooms around the cursor, drag pans, double-click resets, hover shows the op.
/* exported ReportTimeline */
// biome-ignore lint/correctness/noUnusedVariables: used by main.js, inlined after this file
function ReportTimeline(el, data, opts) {
  const tl = data.timeline
  const ROW_H = 16
  const BAR_H = 11
  const AXIS_H = 22
  const BAND_H = 16
  const LABEL_W = 78
  const MAX_H = 560
  const n = tl.start.length
  const rows = tl.rows.map(() => [])
  for (let i = 0; i < n; i++) rows[tl.row[i]].push(i)
  const full = { t0: 0, t1: Math.max(data.duration, 1) }
  const view = { t0: full.t0, t1: full.t1, y: 0 }
  const plotH = Math.min(MAX_H - AXIS_H - BAND_H, Math.max(rows.length, 1) * ROW_H)
  const height = plotH + AXIS_H + BAND_H
  const canvas = document.createElement('canvas')
  const tip = document.createElement('div')
  tip.className = 'tooltip'
  el.append(canvas, tip)
  const ctx = canvas.getContext('2d')
  let width = 0

  function resize() {
    width = el.clientWidth
    const dpr = window.devicePixelRatio || 1
    canvas.width = Math.round(width * dpr)
    canvas.height = Math.round(height * dpr)
    canvas.style.width = `${width}px`
    canvas.style.height = `${height}px`
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    draw()
  }

  const plotW = () => width - LABEL_W
  const xOf = (t) => LABEL_W + ((t - view.t0) / (view.t1 - view.t0)) * plotW()
  const tOf = (x) => view.t0 + ((x - LABEL_W) / plotW()) * (view.t1 - view.t0)
  const maxY = () => Math.max(0, rows.length * ROW_H - plotH)

  // First call in a row whose end is at or after t (a worker's calls never overlap in time).
  function firstEndingAfter(r, t) {
    let lo = 0
    let hi = r.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (tl.end[r[mid]] < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  function niceStep(span, target) {
    const raw = span / target
    const pow = 10 ** Math.floor(Math.log10(raw))
    return ([1, 2, 5, 10].find((m) => m * pow >= raw) || 10) * pow
  }

  function draw() {
    const w = plotW()
    ctx.clearRect(0, 0, width, height)
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, width, height)
    const top = BAND_H
    // Fault periods: a shaded band over all rows and a labelled strip above them.
    ctx.save()
    ctx.beginPath()
    ctx.rect(LABEL_W, 0, w, top + plotH)
    ctx.clip()
    for (const p of data.periods) {
      if (p.end < view.t0 || p.start > view.t1) continue
      const x0 = Math.max(LABEL_W, xOf(p.start))
      const x1 = Math.min(width, xOf(p.end))
      ctx.fillStyle = opts.faultColor(p.fault, 0.85)
      ctx.fillRect(x0, 2, Math.max(1, x1 - x0), BAND_H - 4)
      if (x1 - x0 > 40) {
        ctx.fillStyle = '#fff'
        ctx.font = '10px system-ui, sans-serif'
        ctx.fillText(p.fault, x0 + 3, BAND_H - 5, x1 - x0 - 6)
      }
    }
    for (const e of data.events) {
      const x = xOf(e.time)
      ctx.fillStyle = '#555'
      ctx.fillRect(x, top, 1, plotH)
    }
    // Bars, one path per outcome so each colour is filled once. Where calls are narrower than
    // a pixel, each pixel column of a row shows the outcome most of its calls had.
    const first = Math.floor(view.y / ROW_H)
    const last = Math.min(rows.length - 1, Math.floor((view.y + plotH) / ROW_H))
    const paths = opts.typeColors.map(() => new Path2D())
    const scale = w / (view.t1 - view.t0)
    const counts = [0, 0, 0, 0]
    for (let ri = first; ri <= last; ri++) {
      const r = rows[ri]
      const y = top + ri * ROW_H - view.y + (ROW_H - BAR_H) / 2
      let px = -1
      const flush = () => {
        if (px < 0) return
        let best = 0
        for (let k = 1; k < 4; k++) if (counts[k] > counts[best]) best = k
        paths[best].rect(px, y, 1, BAR_H)
        counts.fill(0)
        px = -1
      }
      for (let j = firstEndingAfter(r, view.t0); j < r.length; j++) {
        const i = r[j]
        if (tl.start[i] > view.t1) break
        const x0 = LABEL_W + (tl.start[i] - view.t0) * scale
        const bw = (tl.end[i] - tl.start[i]) * scale
        if (bw >= 1.5) {
          flush()
          paths[tl.type[i]].rect(x0, y, bw, BAR_H)
          continue
        }
        const col = Math.floor(x0)
        if (col !== px) flush()
        px = col
        counts[tl.type[i]]++
      }
      flush()
    }
    paths.forEach((p, k) => {
      ctx.fillStyle = opts.typeColors[k]
      ctx.fill(p)
    })
    // Tint the bars inside fault periods too, so the periods show through dense rows.
    for (const p of data.periods) {
      if (p.end < view.t0 || p.start > view.t1) continue
      const x0 = Math.max(LABEL_W, xOf(p.start))
      ctx.fillStyle = opts.faultColor(p.fault, 0.3)
      ctx.fillRect(x0, top, Math.max(1, Math.min(width, xOf(p.end)) - x0), plotH)
    }
    // Ops a checker singled out: outlined, with a marker above the rows.
    ctx.strokeStyle = '#111'
    ctx.fillStyle = '#111'
    ctx.lineWidth = 2
    for (const m of data.marks) {
      const i = m.call
      if (tl.end[i] < view.t0 || tl.start[i] > view.t1) continue
      const x0 = xOf(tl.start[i])
      const bw = Math.max(3, (tl.end[i] - tl.start[i]) * scale)
      const y = top + tl.row[i] * ROW_H - view.y + (ROW_H - BAR_H) / 2
      if (y > top - ROW_H && y < top + plotH) ctx.strokeRect(x0 - 1, y - 1, bw + 2, BAR_H + 2)
      const cx = x0 + bw / 2
      ctx.beginPath()
      ctx.moveTo(cx - 5, top - 7)
      ctx.lineTo(cx + 5, top - 7)
      ctx.lineTo(cx, top)
      ctx.fill()
    }
    ctx.lineWidth = 1
    ctx.restore()
    // Row labels and grid.
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, top, LABEL_W, plotH)
    ctx.font = '11px system-ui, sans-serif'
    ctx.fillStyle = '#39414b'
    const labelEvery = Math.ceil(12 / ROW_H)
    for (let ri = first; ri <= last; ri += labelEvery) {
      const y = top + ri * ROW_H - view.y + ROW_H / 2 + 4
      if (y > top + 6 && y < top + plotH) ctx.fillText(tl.rows[ri], 6, y, LABEL_W - 10)
    }
    ctx.strokeStyle = '#c9ced6'
    ctx.strokeRect(LABEL_W + 0.5, top + 0.5, w - 1, plotH)
    // Time axis in seconds.
    const step = niceStep((view.t1 - view.t0) / 1000, Math.max(2, w / 110))
    ctx.fillStyle = '#4a525c'
    ctx.textAlign = 'center'
    for (let s = Math.ceil(view.t0 / 1000 / step) * step; s * 1000 <= view.t1; s += step) {
      const x = xOf(s * 1000)
      ctx.fillRect(x, top + plotH, 1, 4)
      const digits = step < 1 ? Math.min(3, Math.ceil(-Math.log10(step))) : 0
      ctx.fillText(`${s.toFixed(digits)} s`, x, top + plotH + 16)
    }
    ctx.textAlign = 'start'
    if (maxY() > 0) {
      const barH = (plotH * plotH) / (rows.length * ROW_H)
      ctx.fillStyle = 'rgba(0,0,0,0.25)'
      ctx.fillRect(width - 5, top + (view.y / (rows.length * ROW_H)) * plotH, 4, barH)
    }
    el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1)
  }

  function callAt(x, y) {
    const ri = Math.floor((y - BAND_H + view.y) / ROW_H)
    if (ri < 0 || ri >= rows.length || x < LABEL_W) return -1
    const t = tOf(x)
    const slack = 2 * ((view.t1 - view.t0) / plotW())
    const r = rows[ri]
    const j = firstEndingAfter(r, t - slack)
    return j < r.length && tl.start[r[j]] <= t + slack ? r[j] : -1
  }

  function setView(t0, t1) {
    const span = Math.min(full.t1 - full.t0, Math.max(0.01, t1 - t0))
    const a = Math.min(Math.max(full.t0, t0), full.t1 - span)
    view.t0 = a
    view.t1 = a + span
    draw()
  }

  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault()
      if (ev.shiftKey) {
        view.y = Math.min(maxY(), Math.max(0, view.y + ev.deltaY))
        draw()
        return
      }
      const rect = canvas.getBoundingClientRect()
      const t = tOf(ev.clientX - rect.left)
      const k = ev.deltaY > 0 ? 1.25 : 0.8
      setView(t - (t - view.t0) * k, t + (view.t1 - t) * k)
    },
    { passive: false },
  )
  let drag = null
  canvas.addEventListener('mousedown', (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, t0: view.t0, t1: view.t1, vy: view.y }
    el.style.cursor = 'grabbing'
  })
  window.addEventListener('mouseup', () => {
    drag = null
    el.style.cursor = ''
  })
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect()
    const x = ev.clientX - rect.left
    const y = ev.clientY - rect.top
    if (drag) {
      const dt = ((ev.clientX - drag.x) / plotW()) * (drag.t1 - drag.t0)
      view.y = Math.min(maxY(), Math.max(0, drag.vy - (ev.clientY - drag.y)))
      setView(drag.t0 - dt, drag.t1 - dt)
      tip.style.display = 'none'
      return
    }
    const i = callAt(x, y)
    if (i < 0) {
      tip.style.display = 'none'
      return
    }
    const type = opts.typeNames[tl.type[i]]
    const ts = tl.ts?.[i] ? ` · ${tl.ts[i]}` : ''
    tip.textContent = `op ${tl.index[i]} · process ${tl.process[i]} · ${tl.fs[tl.f[i]]} ${tl.text[i]} · ${type}${ts} · ${(tl.end[i] - tl.start[i]).toFixed(1)} ms at ${(tl.start[i] / 1000).toFixed(3)} s`
    tip.style.display = 'block'
    tip.style.left = `${Math.min(x + 12, width - tip.offsetWidth - 4)}px`
    tip.style.top = `${y + 14}px`
  })
  canvas.addEventListener('mouseleave', () => {
    tip.style.display = 'none'
  })
  canvas.addEventListener('dblclick', () => {
    view.y = 0
    setView(full.t0, full.t1)
  })
  /** Zooms onto call i (and the calls around it) and scrolls its row into view. */
  function focus(i) {
    const span = Math.max(20 * (tl.end[i] - tl.start[i]), (full.t1 - full.t0) / 100)
    const mid = (tl.start[i] + tl.end[i]) / 2
    view.y = Math.min(maxY(), Math.max(0, tl.row[i] * ROW_H - plotH / 2))
    setView(mid - span / 2, mid + span / 2)
  }

  window.addEventListener('resize', resize)
  resize()
  return { setView, draw, focus, canvas }
}
