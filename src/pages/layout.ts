import { html, type HtmlValue, type SafeHtml } from './html.js';

export const STYLESHEET_PATH = '/assets/pages.css';
export const ICON_PATH = '/assets/icon.svg';

/** What every page shows around its content. */
export interface SiteContext {
  /** Repository name, in the header and titles. */
  name: string;
  /** Path of the OAI-PMH endpoint ("/oai"). */
  oaiPath: string;
  /** Whether the operators' pages exist (serve --admin). */
  adminEnabled: boolean;
}

export interface PageContent {
  /** The <title>, also the page's name for assistive technology. */
  title: string;
  /** The <main> content; it must start with the page's <h1>. */
  main: SafeHtml;
  /** Extra markup for <head> (meta tags, JSON-LD, canonical link). */
  head?: HtmlValue;
  /** Keep the page out of search engines (errors, tombstones, operators' pages). */
  noindex?: boolean;
}

/** A whole HTML document: landmarks (banner, navigation, main, contentinfo), a skip link, the stylesheet. */
export function renderPage(site: SiteContext, content: PageContent): string {
  const navigation: [string, string][] = [
    ['/', 'Home'],
    ['/search', 'Search'],
    [site.oaiPath, 'OAI-PMH'],
  ];
  if (site.adminEnabled) navigation.push(['/status', 'Status']);
  const fullTitle = content.title === site.name ? site.name : `${content.title} – ${site.name}`;
  return (
    '<!DOCTYPE html>\n' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${fullTitle}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
${content.noindex ? html`<meta name="robots" content="noindex">` : ''}
${content.head ?? ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site-header">
<a class="site-name" href="/">${site.name}</a>
<nav aria-label="Site">
<ul>
${navigation.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>\n`)}</ul>
</nav>
</header>
<main id="main">
${content.main}
</main>
<footer class="site-footer">
<p>Metadata served by pubmeta. Harvesters: OAI-PMH 2.0 at <a href="${site.oaiPath}">${site.oaiPath}</a>.</p>
</footer>
</body>
</html>
`.toString()
  );
}

/** A page with a heading and a message: errors, not found, gone. */
export function renderMessagePage(site: SiteContext, title: string, message: HtmlValue): string {
  return renderPage(site, {
    title,
    noindex: true,
    main: html`<h1>${title}</h1>
${message}`,
  });
}
