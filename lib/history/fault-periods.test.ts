// Pairing of nemesis ops into fault periods (the convention in fault-periods.ts).
import { describe, expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import { faultAction, faultPeriods } from './fault-periods.ts'

let i = 0
const nem = (time: number, f: string, value?: unknown): Op => ({
  index: i++,
  time,
  type: 'info',
  process: 'nemesis',
  f,
  value,
})
const client = (time: number): Op => ({ index: i++, time, type: 'invoke', process: 0, f: 'read' })

describe('faultPeriods', () => {
  test('start-X/stop-X and the kill/start, pause/resume aliases open and close periods', () => {
    const h = [
      nem(10, 'start-partition', { n1: ['n2'] }),
      nem(20, 'kill', ['n3']),
      nem(30, 'stop-partition'),
      nem(40, 'start', ['n3']),
      nem(50, 'pause', ['n1']),
      nem(60, 'resume', ['n1']),
    ]
    const { periods, events } = faultPeriods(h)
    expect(periods.map((p) => [p.fault, p.start, p.end, p.closed])).toEqual([
      ['partition', 10, 30, true],
      ['kill', 20, 40, true],
      ['pause', 50, 60, true],
    ])
    expect(periods[0].value).toEqual({ n1: ['n2'] })
    expect(events).toEqual([])
  })

  test('an op logged twice (invoke and completion) spans from the first opening to the last closing op', () => {
    const h = [
      nem(10, 'start-partition'),
      nem(12, 'start-partition'),
      nem(30, 'stop-partition'),
      nem(33, 'stop-partition'),
    ]
    expect(faultPeriods(h).periods.map((p) => [p.start, p.end])).toEqual([[10, 33]])
  })

  test('a fault still in force runs to the end of the history; unknown ops are events; stray closes are ignored', () => {
    const h = [nem(5, 'stop-partition'), nem(10, 'shuffle-leaders'), nem(20, 'start-clock-skew'), client(90)]
    const { periods, events } = faultPeriods(h)
    expect(periods).toEqual([
      expect.objectContaining({ fault: 'clock-skew', start: 20, end: 90, closed: false }),
    ])
    expect(events.map((e) => e.f)).toEqual(['shuffle-leaders'])
  })

  test('faultAction names the fault an op opens or closes', () => {
    expect(faultAction('start-pd-scheduler')).toEqual({ opens: 'pd-scheduler' })
    expect(faultAction('stop-pd-scheduler')).toEqual({ closes: 'pd-scheduler' })
    expect(faultAction('start')).toEqual({ closes: 'kill' })
    expect(faultAction('start-')).toBeUndefined()
    expect(faultAction('bump-clock')).toBeUndefined()
  })
})
