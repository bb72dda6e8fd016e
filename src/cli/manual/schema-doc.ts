/**
 * A JSON Schema (draft-07, the subset our file formats use) as Markdown: one table per object — the top level, each
 * nested object under its path (`userPool.clients[]`), each shared definition once under its name — with every key,
 * its type (enums, patterns, bounds, defaults) and its description. The format pages (`help scenarios`, `help config`,
 * `help policy-tests`) are these tables under a short introduction.
 */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  description?: string;
  title?: string;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
  definitions?: Record<string, Schema>;
}

interface Section {
  heading: string;
  anchor: string;
  schema: Schema;
  /** Where it was first met (`userPool.clients[]`): the prefix of the sections inside it. */
  path: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

class SchemaDoc {
  private readonly sections: Section[] = [];
  private readonly byDefinition = new Map<string, Section>();

  constructor(private readonly root: Schema) {}

  private definition(ref: string): [string, Schema] {
    const name = ref.replace(/^#\/definitions\//, '');
    const def = this.root.definitions?.[name];
    if (!def) throw new Error(`schema: unknown $ref ${ref}`);
    return [name, def];
  }

  private isObject(s: Schema): boolean {
    return !!s.properties;
  }

  /** The section of an object schema: a definition's own, or a new one under `path`. */
  private sectionFor(s: Schema, path: string, definition?: string): Section {
    if (definition) {
      const known = this.byDefinition.get(definition);
      if (known) return known;
    }
    const heading = definition ? `${definition} (\`${path}\`)` : `\`${path}\``;
    const section = { heading, anchor: anchorOf(heading), schema: s, path };
    if (definition) this.byDefinition.set(definition, section);
    this.sections.push(section);
    return section;
  }

  /** A value's type in words, adding the sections of the objects it holds. */
  typeOf(s: Schema, path: string): string {
    if (s.$ref) {
      const [name, def] = this.definition(s.$ref);
      if (this.isObject(def)) {
        const sec = this.sectionFor(def, path, name);
        return `[${name}](#${sec.anchor})`;
      }
      return this.typeOf(def, path);
    }
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives) return alternatives.map((a) => this.typeOf(a, path)).join(', or ');
    if (s.const !== undefined) return code(s.const);
    if (s.enum) return s.enum.map(code).join(' | '); // escaped once, by cell(), in the table row
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
    if (types.includes('array') || s.items) {
      const min = s.minItems ? ` (at least ${s.minItems})` : '';
      return `list${min} of ${s.items ? this.typeOf(s.items, `${path}[]`) : 'values'}`;
    }
    if (this.isObject(s)) {
      const sec = this.sectionFor(s, path);
      return `[object](#${sec.anchor})`;
    }
    if (types.includes('object')) {
      const value = typeof s.additionalProperties === 'object' ? this.typeOf(s.additionalProperties, path) : 'value';
      const isMap = s.additionalProperties && typeof s.additionalProperties === 'object';
      return isMap ? `map of key → ${value}` : 'mapping';
    }
    return [types.join(' or ') || 'any', ...this.bounds(s)].join(' ');
  }

  private bounds(s: Schema): string[] {
    const out: string[] = [];
    if (s.pattern) out.push(`matching ${code(s.pattern)}`);
    const { minLength: min, maxLength: max } = s;
    if (min !== undefined && max !== undefined) out.push(`of ${min}–${max} characters`);
    else if (s.maxLength !== undefined) out.push(`of at most ${s.maxLength} characters`);
    else if (s.minLength === 1) out.push('(not empty)');
    else if (s.minLength !== undefined) out.push(`of at least ${s.minLength} characters`);
    if (s.minimum !== undefined && s.maximum !== undefined) out.push(`from ${s.minimum} to ${s.maximum}`);
    else if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
    return out;
  }

  private rows(section: Section): string[] {
    const { schema: s, path } = section;
    const required = new Set(s.required ?? []);
    const lines = ['| key | type | meaning |', '|---|---|---|'];
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      const type = this.typeOf(prop, path ? `${path}.${key}` : key);
      const notes = [
        prop.description ?? (prop.$ref ? this.definition(prop.$ref)[1].description : undefined) ?? '',
        required.has(key) ? '**Required.**' : '',
        prop.default !== undefined ? `Default ${code(prop.default)}.` : '',
      ].filter(Boolean);
      lines.push(`| \`${key}\` | ${cell(type)} | ${cell(notes.join(' '))} |`);
    }
    for (const [pattern, prop] of Object.entries(s.patternProperties ?? {}))
      lines.push(
        `| keys matching \`${pattern}\` | ${cell(this.typeOf(prop, path))} | ${cell(prop.description ?? '')} |`,
      );
    return lines;
  }

  markdown(headingLevel: number): string {
    const hashes = '#'.repeat(headingLevel);
    const top: Section = { heading: 'top level', anchor: 'top-level', schema: this.root, path: '' };
    const out: string[] = [];
    // Sections are discovered while rendering (each object found adds one); render until none is left.
    const rendered = new Set<Section>();
    const queue: Section[] = [top];
    while (queue.length) {
      const section = queue.shift()!;
      rendered.add(section);
      const before = this.sections.length;
      const rows = this.rows(section);
      out.push(`${hashes} ${section.heading}`, '');
      const description = section === top ? undefined : section.schema.description;
      if (description) out.push(description, '');
      if (section.schema.additionalProperties === false) out.push('Other keys are refused.', '');
      out.push(...rows, '');
      for (const next of this.sections.slice(before)) if (!rendered.has(next)) queue.push(next);
    }
    return out.join('\n').trimEnd();
  }
}

/** The tables of a schema; headings at `headingLevel` (`###` for 3). */
export function schemaTables(schema: Schema, headingLevel = 3): string {
  return new SchemaDoc(schema).markdown(headingLevel);
}
