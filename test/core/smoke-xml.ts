/**
 * A strict little XML reader for the JUnit tests: well-formedness (one root, balanced and properly nested tags,
 * quoted attributes, no duplicate attributes, only the five predefined entities or character references, no raw
 * `<` or `&` in text) and a tree to check the JUnit shape against.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;

function decode(s: string, where: string): string {
  return s.replace(/&([^;]*);/g, (m, ent: string) => {
    const map: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ent in map) return map[ent]!;
    if (/^#\d+$/.test(ent)) return String.fromCodePoint(Number(ent.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(ent)) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    throw new Error(`unknown entity ${m} in ${where}`);
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const skipWs = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  const parseElement = (): XmlElement => {
    if (xml[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const m = NAME.exec(xml.slice(i));
    if (!m) throw new Error(`bad tag name at ${i}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i += m[0].length;
    for (;;) {
      skipWs();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const a = NAME.exec(xml.slice(i));
      if (!a) throw new Error(`bad attribute at ${i} in <${el.name}>`);
      i += a[0].length;
      if (xml[i] !== '=' || xml[i + 1] !== '"') throw new Error(`attribute ${a[0]} of <${el.name}> is not ="quoted"`);
      const end = xml.indexOf('"', i + 2);
      const raw = xml.slice(i + 2, end);
      if (raw.includes('<')) throw new Error(`raw < in attribute ${a[0]}`);
      if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]} in <${el.name}>`);
      el.attrs[a[0]] = decode(raw, `attribute ${a[0]}`);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${el.name}>`);
      el.text += decode(xml.slice(i, lt), `<${el.name}>`);
      i = lt;
      if (xml.startsWith('</', i)) {
        const close = `</${el.name}>`;
        if (!xml.startsWith(close, i)) throw new Error(`expected ${close} at ${i}, found ${xml.slice(i, i + 30)}`);
        i += close.length;
        return el;
      }
      el.children.push(parseElement());
    }
  };
  skipWs();
  const root = parseElement();
  skipWs();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  return root;
}
