/**
 * A TypeDoc plugin (`"plugin": ["./tools/docs-site/dist/typedoc-plugin.js"]` in typedoc.json):
 * makes the relative `navigationLinks` and `sidebarLinks` work on every page. TypeDoc writes their
 * URLs into each page as given, so `documents/X.html` resolves from the site root only and is a
 * broken link on every page one folder down (`modules/…`, `documents/…`, `classes/…`).
 */
import type { Application, PageEvent } from 'typedoc' with { 'resolution-mode': 'import' };

/** Whether a link URL is relative to the site root (not absolute, not a fragment). */
function isRelative(url: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(url);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites the header and sidebar links of one rendered page.
 *
 * @param html - the page
 * @param pageUrl - its path from the site root, e.g. `modules/monitor-cli.html`
 * @param links - label → URL, as configured
 * @returns the page with each relative link prefixed by `../` once per folder of `pageUrl`
 */
export function relativizeNavigationLinks(html: string, pageUrl: string, links: Readonly<Record<string, string>>): string {
  const depth = pageUrl.split('/').length - 1;
  if (depth === 0) return html;
  const prefix = '../'.repeat(depth);
  let out = html;
  for (const [label, url] of Object.entries(links)) {
    if (!isRelative(url)) continue;
    const pattern = new RegExp(`(<a href=")${escapeRegExp(url)}("(?: class="tsd-nav-link")?>${escapeRegExp(label)}</a>)`, 'g');
    out = out.replace(pattern, `$1${prefix}${url}$2`);
  }
  return out;
}

/** TypeDoc's entry point. */
export function load(app: Application): void {
  app.renderer.on('endPage', (page: PageEvent) => {
    if (page.contents === undefined) return;
    const links = { ...app.options.getValue('sidebarLinks'), ...app.options.getValue('navigationLinks') };
    page.contents = relativizeNavigationLinks(page.contents, page.url, links);
  });
}
