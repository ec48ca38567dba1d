// Tiny DOM helpers: elements by id (failing loudly when the page lacks one) and SVG creation.
const SVG_NS = 'http://www.w3.org/2000/svg';

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the dashboard page has no #${id}`);
  return el as T;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className !== undefined) el.className = className;
  return el;
}

/** A paragraph that says what is (not) there: loading, empty, or an error. */
export function stateLine(text: string, error = false): HTMLParagraphElement {
  return html('p', text, error ? 'state error' : 'state');
}

/** `<dl>` of label → value pairs. */
export function keyValues(rows: [string, string][]): HTMLDListElement {
  const dl = html('dl');
  dl.className = 'kv';
  for (const [k, v] of rows) dl.append(html('dt', k), html('dd', v));
  return dl;
}
