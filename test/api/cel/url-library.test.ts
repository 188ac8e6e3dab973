import { describe, expect, it } from '@jest/globals';
import { compileError, estimatedCost, evaluate } from './evaluate.js';

describe('url library', () => {
  it('reads the parts of a URL as Go writes them', () => {
    expect(evaluate("url('https://example.com:80/a?b=c').getPort()")).toBe('80');
    expect(evaluate("url('https://example.com/').getPort()")).toBe('');
    expect(evaluate("url('HTTPS://example.com/').getScheme()")).toBe('https');
    expect(evaluate("url('https://user@example.com:8443/x').getHost()")).toBe('example.com:8443');
    expect(evaluate("url('https://example.com:8443/x').getHostname()")).toBe('example.com');
    expect(evaluate("url('https://[::1]:80/').getHost()")).toBe('[::1]:80');
    expect(evaluate("url('https://[::1]:80/').getHostname()")).toBe('::1');
    expect(evaluate("url('/path').getScheme()")).toBe('');
    expect(evaluate("url('/path').getHost()")).toBe('');
  });

  it('escapes the path as Go does', () => {
    expect(evaluate("url('https://example.com/path').getEscapedPath()")).toBe('/path');
    expect(evaluate("url('https://example.com/path with spaces/').getEscapedPath()")).toBe(
      '/path%20with%20spaces/',
    );
    expect(evaluate("url('https://example.com/a%2Fb').getEscapedPath()")).toBe('/a%2Fb');
    expect(evaluate("url('https://example.com').getEscapedPath()")).toBe('');
    expect(evaluate("url('https://example.com/a#frag').getEscapedPath()")).toBe('/a');
  });

  it('parses the query into a map of lists', () => {
    expect(
      evaluate(
        "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
      ),
    ).toBe(true);
    expect(
      evaluate(
        "url('https://example.com/path?key with spaces=value with spaces').getQuery() == {'key with spaces': ['value with spaces']}",
      ),
    ).toBe(true);
    expect(evaluate("url('https://example.com/path?a+b=%41').getQuery()['a b'][0]")).toBe('A');
    expect(evaluate("url('https://example.com/path?bad=%zz&semi=1;2').getQuery().size()")).toBe(0n);
    expect(evaluate("url('https://example.com/path?').getQuery().size()")).toBe(0n);
  });

  it('accepts absolute URIs and absolute paths only', () => {
    expect(evaluate("isURL('https://example.com/')")).toBe(true);
    expect(evaluate("isURL('/absolute-path')")).toBe(true);
    expect(evaluate("isURL('urn:isbn:0451450523')")).toBe(true);
    expect(evaluate("isURL('../relative')")).toBe(false);
    expect(evaluate("isURL('')")).toBe(false);
    expect(evaluate("isURL('https://example.com:port/')")).toBe(false);
    expect(evaluate("isURL('https://exa mple.com/')")).toBe(false);
    expect(evaluate("isURL('https://example.com/%zz')")).toBe(false);
    expect(evaluate("isURL('https://example.com/\\n')")).toBe(false);
  });

  it('checks the fragment in url() but not in isURL(), as kube parses it twice', () => {
    expect(evaluate("isURL('https://example.com?a#%zz')")).toBe(true);
    expect(() => evaluate("url('https://example.com?a#%zz')")).toThrow('invalid URL escape "%zz"');
  });

  it("fails at run time with Go's parse error for text that is not a URL", () => {
    expect(() => evaluate("url('../relative')")).toThrow(
      'evaluation error: URL parse error during conversion from string: parse "../relative": invalid URI for request',
    );
    expect(() => evaluate("url('https://example.com:port/')")).toThrow(
      'parse "https://example.com:port/": invalid port ":port" after host',
    );
  });

  it('compares URLs with ==', () => {
    expect(evaluate("url('https://a.example/') == url('https://a.example/')")).toBe(true);
    expect(evaluate("url('https://a.example/') != url('https://b.example/')")).toBe(true);
  });

  it('refuses wrong argument types at compile time', () => {
    expect(compileError('url(1)')).toContain("found no matching overload for 'url' applied to '(int)'");
    expect(compileError("'https://a.example'.getHost()")).toContain(
      "found no matching overload for 'getHost' applied to 'string.()'",
    );
    expect(compileError("url('https://a.example/') == 'https://a.example/'")).toContain(
      "found no matching overload for '_==_' applied to '(kubernetes.URL, string)'",
    );
  });

  it('estimates url() by the length of its argument', () => {
    const text = 'a'.repeat(100);
    expect(estimatedCost(`url('/${text}').getHost()`)).toBe(Math.ceil(101 * 0.1) + 1);
  });
});
