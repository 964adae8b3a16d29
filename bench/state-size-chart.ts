/**
 * The state-size bench as a chart: downtime (ms) against state size (MB), one line per mode (the hand-over's
 * downtime is its output pause), both axes logarithmic as the sizes go 10, 100, 1024. Hand-written SVG: a bench needs no charting dependency.
 */
export interface ChartRow {
  mb: number
  mode: string
  downtime: number
}

const W = 640
const H = 400
const M = { left: 64, right: 150, top: 36, bottom: 48 }
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2']

export function downtimeChart(title: string, rows: ChartRow[]): string {
  const ok = rows.filter((r) => Number.isFinite(r.downtime) && r.downtime > 0 && r.mb > 0)
  const modes = [...new Set(ok.map((r) => r.mode))]
  const decades = (values: number[]) => {
    const lo = Math.floor(Math.log10(Math.min(...values)))
    const hi = Math.ceil(Math.log10(Math.max(...values)))
    return [lo, hi === lo ? lo + 1 : hi] as const
  }
  const [x0, x1] = ok.length ? decades(ok.map((r) => r.mb)) : [0, 1]
  const [y0, y1] = ok.length ? decades(ok.map((r) => r.downtime)) : [0, 1]
  const x = (mb: number) => M.left + ((Math.log10(mb) - x0) / (x1 - x0)) * (W - M.left - M.right)
  const y = (ms: number) => H - M.bottom - ((Math.log10(ms) - y0) / (y1 - y0)) * (H - M.top - M.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}: downtime by state size, one line per mode</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="14">${escapeXml(title)}: downtime by state size (RocksDB; hand-over: output pause)</text>`,
  ]
  for (let d = x0; d <= x1; d++) {
    const px = x(10 ** d).toFixed(1)
    out.push(
      `<line x1="${px}" y1="${M.top}" x2="${px}" y2="${H - M.bottom}" stroke="#ddd"/>`,
      `<text x="${px}" y="${H - M.bottom + 16}" text-anchor="middle">${10 ** d}</text>`,
    )
  }
  for (let d = y0; d <= y1; d++) {
    const py = y(10 ** d).toFixed(1)
    out.push(
      `<line x1="${M.left}" y1="${py}" x2="${W - M.right}" y2="${py}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${10 ** d}</text>`,
    )
  }
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">state (MB, log)</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">downtime (ms, log)</text>`,
  )
  modes.forEach((mode, i) => {
    const colour = COLOURS[i % COLOURS.length]
    const points = ok.filter((r) => r.mode === mode).sort((a, b) => a.mb - b.mb)
    const path = points.map((p) => `${x(p.mb).toFixed(1)},${y(p.downtime).toFixed(1)}`).join(' ')
    out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`)
    for (const p of points)
      out.push(
        `<circle cx="${x(p.mb).toFixed(1)}" cy="${y(p.downtime).toFixed(1)}" r="3" fill="${colour}"><title>${escapeXml(mode)}: ${p.mb} MB, ${p.downtime} ms</title></circle>`,
      )
    const ly = M.top + 10 + i * 18
    out.push(
      `<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 32}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${W - M.right + 38}" y="${ly}" dominant-baseline="middle">${escapeXml(mode)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
