// Styles every component shares: cards, buttons, focus rings, tables that scroll on a 360 px phone.
import { css } from "lit";

export const shared = css`
  :host { display: block; color: var(--fg); }
  h1, h2, h3 { line-height: 1.2; margin: 0.2em 0 0.5em; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; } h3 { font-size: 1rem; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 0.9rem 1rem; margin: 0 0 1rem; }
  .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); }
  .big { font-size: 1.9rem; font-weight: 650; font-variant-numeric: tabular-nums; }
  .muted { color: var(--muted); }
  .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.8rem; margin: 0; }
  dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
  button, .button, select, input {
    font: inherit; min-height: 44px; border-radius: 8px; border: 1px solid var(--line); padding: 0.45rem 0.8rem;
    background: var(--bg); color: var(--fg); box-sizing: border-box;
  }
  button.primary, .button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); font-weight: 600; }
  .button { display: inline-flex; align-items: center; text-decoration: none; }
  button:focus-visible, a:focus-visible, select:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  a { color: var(--accent); }
  .table-wrap { overflow-x: auto; }
  code { overflow-wrap: anywhere; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; white-space: nowrap; }
  .badge { display: inline-block; border: 1px solid currentColor; border-radius: 0.75em; padding: 0 0.55em; font-size: 0.85em; font-weight: 600; }
  .error { color: var(--bad); font-weight: 600; }
  .row { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
  label { display: block; font-weight: 600; margin: 0.5rem 0 0.2rem; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
