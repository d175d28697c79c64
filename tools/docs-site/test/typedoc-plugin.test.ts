import { relativizeNavigationLinks } from '../src/typedoc-plugin';

const links = { 'Error codes': 'documents/Error_codes_and_fixes.html', Home: 'https://example.com/', Top: '#top' };
const header = (href: string, label: string): string => `<a href="${href}" class="tsd-nav-link">${label}</a><a href="${href}">${label}</a>`;

describe('relativizeNavigationLinks', () => {
  it('leaves pages at the site root alone', () => {
    const html = header('documents/Error_codes_and_fixes.html', 'Error codes');
    expect(relativizeNavigationLinks(html, 'index.html', links)).toBe(html);
  });

  it('prefixes relative header and sidebar links once per folder', () => {
    const html = header('documents/Error_codes_and_fixes.html', 'Error codes') + header('https://example.com/', 'Home') + header('#top', 'Top');
    expect(relativizeNavigationLinks(html, 'modules/monitor-cli.html', links)).toBe(
      header('../documents/Error_codes_and_fixes.html', 'Error codes') + header('https://example.com/', 'Home') + header('#top', 'Top'),
    );
    expect(relativizeNavigationLinks(html, 'a/b/c.html', links)).toContain('href="../../documents/Error_codes_and_fixes.html" class="tsd-nav-link">Error codes<');
  });

  it('does not touch content links that happen to share the URL', () => {
    const html = '<p><a href="documents/Error_codes_and_fixes.html">the error page</a></p>';
    expect(relativizeNavigationLinks(html, 'modules/x.html', links)).toBe(html);
  });
});
