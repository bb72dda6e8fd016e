/**
 * The semantic search tool of a `searchType: SEMANTIC` gateway (`x_amz_bedrock_agentcore_search`, called with
 * `{query}`; it answers the tools that match). The service ranks by embeddings; the local stack ranks lexically:
 * the query's words found in a tool's name (weight 3) and description (weight 1), ties by name. The answer's shape
 * (the matching tools, as tools/list would list them, in structuredContent.tools and as JSON text) is UNVERIFIED.
 */
import { GATEWAY } from '../../../wire.js';

export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  [k: string]: unknown;
}

export const SEARCH_TOOL: ListedTool = {
  name: GATEWAY.searchTool,
  description:
    'A special tool that returns a trimmed down list of tools given a context. Use this tool only when there are ' +
    'many tools available and you want to get a subset that matches the provided context.',
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', description: 'search query to use for finding tools' } },
    required: ['query'],
  },
};

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);

export function searchTools(tools: ListedTool[], query: string, limit = 10): ListedTool[] {
  const q = new Set(words(query));
  const scored = tools
    .map((t) => {
      const name = new Set(words(t.name.replaceAll(GATEWAY.toolSeparator, ' ')));
      const description = new Set(words(t.description ?? ''));
      let score = 0;
      for (const w of q) score += (name.has(w) ? 3 : 0) + (description.has(w) ? 1 : 0);
      return { t, score };
    })
    .filter((x) => x.score > 0);
  scored.sort((a, b) => b.score - a.score || a.t.name.localeCompare(b.t.name));
  return scored.slice(0, limit).map((x) => x.t);
}
