/**
 * @module A strict little XML reader for the Atom tests (workerd has no DOMParser): elements,
 * attributes, text and the five entities plus character references. Anything not well-formed throws:
 * an unescaped `<` or `&`, an unclosed or mismatched tag, an unquoted or repeated attribute.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.:-]*/;

function unescape(raw: string, where: string): string {
  return raw.replace(/&([^;]*);|&/g, (match, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare & in ${where}`);
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity &${name}; in ${where}`);
    return value;
  });
}

export function parseXml(source: string): XmlElement {
  let at = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(source);
  if (prolog !== null) at = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const text = source.slice(at, lt === -1 ? source.length : lt);
    if (text.includes('>') && stack.length === 0 && text.trim() !== '') throw new Error('text outside the root element');
    const current = stack.at(-1);
    if (current !== undefined) current.text += unescape(text, `<${current.name}>`);
    else if (text.trim() !== '') throw new Error('text outside the root element');
    if (lt === -1) break;
    const gt = source.indexOf('>', lt);
    if (gt === -1) throw new Error('unclosed tag');
    const tag = source.slice(lt + 1, gt);
    at = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (open?.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(body)?.[0];
    if (name === undefined) throw new Error(`bad tag <${tag}>`);
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    let rest = body.slice(name.length);
    for (;;) {
      rest = rest.trimStart();
      if (rest === '') break;
      const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest);
      if (attribute === null) throw new Error(`bad attribute in <${tag}>`);
      const key = attribute[1] ?? '';
      if (key in element.attributes) throw new Error(`repeated attribute ${key}`);
      element.attributes[key] = unescape(attribute[3] ?? attribute[4] ?? '', `${name}@${key}`);
      rest = rest.slice(attribute[0].length);
    }
    if (current !== undefined) current.children.push(element);
    else if (root === undefined) root = element;
    else throw new Error('a second root element');
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
