// A stacked bar chart drawn as SVG by the page. Series differ by fill pattern as well as colour (solid, hatched,
// dotted, cross-hatched), every bar has its value written, and a legend names the patterns: readable without
// colour. The figures are also given as an accessible table for screen readers.
import { LitElement, css, html, svg } from "lit";

export interface Bar { label: string; segments: { series: string; value: number }[] }

const PATTERNS = ["solid", "hatch", "dots", "cross"] as const;
const COLOURS = ["var(--bar1)", "var(--bar2)", "var(--bar3)", "var(--bar4)"];

export class OpBarChart extends LitElement {
  static override properties = { bars: { attribute: false }, caption: {}, format: { attribute: false } };
  declare bars: Bar[];
  declare caption: string;
  declare format: (v: number) => string;
  static override styles = css`
    :host { display: block; }
    figure { margin: 0; }
    svg { width: 100%; max-width: 44rem; height: auto; display: block; font: 14px system-ui, sans-serif; }
    .legend { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 0.4rem 0; font-size: 0.9rem; }
    .legend svg { width: 1.2rem; height: 1.2rem; display: inline-block; vertical-align: middle; margin-right: 0.3rem; border: 1px solid var(--fg); }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  `;
  constructor() { super(); this.bars = []; this.caption = ""; this.format = (v) => String(v); }

  private defs(prefix: string) {
    return svg`<defs>${COLOURS.map((c, i) => {
      const id = `${prefix}${i}`;
      switch (PATTERNS[i]) {
        case "hatch": return svg`<pattern id=${id} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="var(--bg)"></rect><rect width="3" height="6" fill=${c}></rect></pattern>`;
        case "dots": return svg`<pattern id=${id} width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="var(--bg)"></rect><circle cx="2.5" cy="2.5" r="1.7" fill=${c}></circle></pattern>`;
        case "cross": return svg`<pattern id=${id} width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="var(--bg)"></rect><path d="M0 0L6 6M6 0L0 6" stroke=${c} stroke-width="1.5"></path></pattern>`;
        default: return svg`<pattern id=${id} width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill=${c}></rect></pattern>`;
      }
    })}</defs>`;
  }

  override render() {
    const series = [...new Set(this.bars.flatMap((b) => b.segments.map((s) => s.series)))];
    const max = Math.max(1, ...this.bars.map((b) => b.segments.reduce((a, s) => a + s.value, 0)));
    const n = Math.max(1, this.bars.length);
    const W = 400, H = 200, top = 18, bottom = 30, left = 4;
    const bw = (W - left) / n;
    const prefix = `p${Math.random().toString(36).slice(2, 7)}-`;
    const fillOf = (name: string) => `url(#${prefix}${series.indexOf(name) % PATTERNS.length})`;
    const labelEvery = Math.ceil(n / 8);
    return html`
      <figure>
        <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${this.caption}>
          ${this.defs(prefix)}
          <line x1="0" x2=${W} y1=${H - bottom} y2=${H - bottom} stroke="var(--fg)"></line>
          ${this.bars.map((b, i) => {
            let y = H - bottom;
            const total = b.segments.reduce((a, s) => a + s.value, 0);
            const x = left + i * bw + bw * 0.12;
            const w = bw * 0.76;
            return svg`<g>
              <title>${b.label}: ${this.format(total)}</title>
              ${b.segments.map((s) => {
                const h = (s.value / max) * (H - top - bottom);
                y -= h;
                return svg`<rect x=${x} y=${y} width=${w} height=${Math.max(0, h)} fill=${fillOf(s.series)} stroke="var(--fg)" stroke-width="0.6"></rect>`;
              })}
              ${n <= 8 && total > 0 ? svg`<text x=${x + w / 2} y=${y - 4} text-anchor="middle" fill="var(--fg)">${this.format(total)}</text>` : null}
              ${i % labelEvery === 0 ? svg`<text x=${x + w / 2} y=${H - bottom + 14} text-anchor="middle" fill="var(--fg)">${b.label}</text>` : null}
            </g>`;
          })}
        </svg>
        ${series.length > 1 || (series.length === 1 && series[0] !== "") ? html`<div class="legend" aria-hidden="true">${series.map((s) => html`<span><svg viewBox="0 0 12 12">${this.defs(`${prefix}l`)}<rect width="12" height="12" fill=${`url(#${prefix}l${series.indexOf(s) % PATTERNS.length})`}></rect></svg>${s}</span>`)}</div>` : null}
        <table class="sr"><caption>${this.caption}</caption>
          <tr><th>Label</th>${series.map((s) => html`<th>${s}</th>`)}</tr>
          ${this.bars.map((b) => html`<tr><td>${b.label}</td>${series.map((s) => html`<td>${this.format(b.segments.find((x) => x.series === s)?.value ?? 0)}</td>`)}</tr>`)}
        </table>
      </figure>`;
  }
}
customElements.define("op-bar-chart", OpBarChart);
