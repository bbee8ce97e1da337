/**
 * The one stylesheet of the pages, served from /assets/pages.css (same origin, so the
 * Content-Security-Policy needs no inline styles). System fonts only; logical properties
 * (margin-inline-start, text-align: start) so right-to-left text lays out mirrored.
 */
export const PAGES_CSS = `:root {
  color-scheme: light dark;
  --fg: #1b1b1b;
  --bg: #ffffff;
  --muted: #555555;
  --line: #d0d0d0;
  --accent: #0b5cad;
  --panel: #f4f6f8;
  --bad: #a11212;
  --good: #1d6b2f;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e8e8e8;
    --bg: #15171a;
    --muted: #b0b0b0;
    --line: #3b3f45;
    --accent: #8cc4ff;
    --panel: #1f2328;
    --bad: #ff8a8a;
    --good: #8fe0a0;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  color: var(--fg);
  background: var(--bg);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Naskh Arabic", sans-serif;
  overflow-wrap: anywhere;
}
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--accent);
  outline-offset: 2px;
}
.skip { position: absolute; inset-inline-start: -10000px; }
.skip:focus { position: static; }
.site-header, main, .site-footer { max-width: 60rem; margin: 0 auto; padding: 0.75rem 1rem; }
.site-header { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline; border-bottom: 1px solid var(--line); }
.site-name { font-weight: 700; font-size: 1.1rem; text-decoration: none; color: var(--fg); }
.site-header nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; margin: 0; padding: 0; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 0.5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.25rem; }
.alt-title { font-size: 1.15rem; color: var(--muted); margin: 0.25rem 0; }
.muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
@media (max-width: 36rem) {
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-inline-start: 0.75rem; margin-bottom: 0.25rem; }
}
.table-wrap { overflow-x: auto; }
/* Words in cells are not split: a wide table scrolls inside .table-wrap instead. */
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; overflow-wrap: break-word; }
caption { text-align: start; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: start; vertical-align: top; }
thead th { background: var(--panel); }
.authors { list-style: none; padding: 0; }
.authors li { margin: 0.4rem 0; }
.affiliation { display: block; color: var(--muted); font-size: 0.95rem; }
.keywords { display: flex; flex-wrap: wrap; gap: 0.4rem; list-style: none; padding: 0; }
.keywords li { background: var(--panel); border: 1px solid var(--line); border-radius: 1rem; padding: 0 0.6rem; }
.references li { margin: 0.3rem 0; }
.record-list { list-style: none; padding: 0; }
.record-list > li { border-top: 1px solid var(--line); padding: 0.75rem 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.75rem 1rem; margin: 1rem 0; }
.panel > :first-child { margin-top: 0; }
.panel > :last-child { margin-bottom: 0; }
.error { border-color: var(--bad); }
.error h2, .state-failed { color: var(--bad); }
.state-registered { color: var(--good); }
form.inline { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
input[type="search"], input[type="password"], select { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--line); border-radius: 0.25rem; background: var(--bg); color: var(--fg); min-width: 0; }
input[type="search"] { flex: 1 1 16rem; }
button { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid var(--accent); border-radius: 0.25rem; background: var(--accent); color: var(--bg); cursor: pointer; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
pre { overflow-x: auto; background: var(--panel); padding: 0.5rem; }
.pager { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; }
`;

/** The site icon (/assets/icon.svg): an open book, so browsers do not ask for /favicon.ico. */
export const PAGES_ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#0b5cad" d="M3 6c5-1.5 9-1 13 2 4-3 8-3.5 13-2v20c-5-1.5-9-1-13 2-4-3-8-3.5-13-2z"/><path fill="#fff" d="M15 10.5c-3-2-6-2.3-9.5-1.5v14c3.5-.8 6.5-.5 9.5 1.5zm2 0c3-2 6-2.3 9.5-1.5v14c-3.5-.8-6.5-.5-9.5 1.5z"/></svg>
`;
