/**
 * A dependency-free SVG rendering of the architecture: one box per Region side by side, the resources as labelled boxes
 * in a grid inside their Region, the edges as straight lines (dashed when asynchronous), and a numbered legend of the
 * edges below. Text is 12 px monospace; a character is counted as CHAR_WIDTH px (a monospace glyph is 0.6 em,
 * 7.2 px), so that a label never leaves its box; long labels are wrapped and, past MAX_LINES, truncated.
 */
import { Architecture } from './architecture';

export const CHAR_WIDTH = 7.5;
export const LINE_HEIGHT = 16;
export const FONT_SIZE = 12;
/** The longest label line, in characters. */
export const MAX_CHARS = 30;
export const MAX_LINES = 4;
export const PAD = 10;
const GAP = 24;
export const REGION_PAD = 16;
const HEADER = 2 * LINE_HEIGHT + 12;
const COLUMNS = 3;

/** A rectangle with its text lines (baselines at y + PAD + (i + 1) * LINE_HEIGHT - 4). */
export interface Box {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly lines: string[];
}

/** The computed layout and the SVG text. */
export interface SvgLayout {
  readonly width: number;
  readonly height: number;
  readonly regions: Array<Box & { region: string }>;
  readonly boxes: Array<Box & { region: string }>;
  /** The legend lines below the Regions (one per edge). */
  readonly legend: Box;
  readonly svg: string;
}

/** The estimated width of a text line. */
export function textWidth(text: string): number {
  return text.length * CHAR_WIDTH;
}

/** A label's lines wrapped at word boundaries to `max` characters, long words cut, at most `maxLines` lines. */
export function wrap(lines: string[], max = MAX_CHARS, maxLines = MAX_LINES): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let current = '';
    for (let word of line.split(/\s+/).filter((w) => w !== '')) {
      while (word.length > max) {
        if (current !== '') {
          out.push(current);
          current = '';
        }
        out.push(word.slice(0, max));
        word = word.slice(max);
      }
      if (current === '') {current = word;} else if (current.length + 1 + word.length <= max) {current += ` ${word}`;} else {
        out.push(current);
        current = word;
      }
    }
    if (current !== '') out.push(current);
  }
  if (out.length > maxLines) {
    const kept = out.slice(0, maxLines);
    const last = kept[maxLines - 1];
    kept[maxLines - 1] = `${last.length >= max ? last.slice(0, max - 1) : last}…`;
    return kept;
  }
  return out;
}

/** Where the line from the centre of `from` to the centre of `to` leaves `from`. */
function border(from: Box, to: Box): [number, number] {
  const [cx, cy] = [from.x + from.width / 2, from.y + from.height / 2];
  const [dx, dy] = [to.x + to.width / 2 - cx, to.y + to.height / 2 - cy];
  if (dx === 0 && dy === 0) return [cx, cy];
  const t = Math.min(dx === 0 ? Infinity : from.width / 2 / Math.abs(dx), dy === 0 ? Infinity : from.height / 2 / Math.abs(dy));
  return [Math.round(cx + dx * t), Math.round(cy + dy * t)];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** Lays out and renders the architecture. */
export function renderSvg(arch: Architecture): SvgLayout {
  const regionNames = [...new Set([...arch.stacks.map((s) => s.region), ...arch.nodes.map((n) => n.region)])];
  const labelled = arch.nodes.map((n) => ({ ...n, wrapped: wrap(n.lines) }));
  const boxWidth = Math.max(...labelled.map((n) => Math.max(...n.wrapped.map(textWidth))), textWidth('x'.repeat(12))) + 2 * PAD;
  const boxHeight = Math.max(...labelled.map((n) => n.wrapped.length), 1) * LINE_HEIGHT + 2 * PAD;
  const regions: Array<Box & { region: string }> = [];
  const boxes: Array<Box & { region: string }> = [];
  let x = GAP;
  for (const region of regionNames) {
    const inRegion = labelled.filter((n) => n.region === region);
    const stackNames = arch.stacks.filter((s) => s.region === region).map((s) => s.title.replace(/ \([^)]*\)$/, ''));
    const cols = Math.max(1, Math.min(COLUMNS, inRegion.length));
    const rows = Math.max(1, Math.ceil(inRegion.length / cols));
    const gridWidth = cols * boxWidth + (cols - 1) * GAP;
    const title = [region];
    const innerWidth = Math.max(gridWidth, textWidth(region));
    const maxTitleChars = Math.floor(innerWidth / CHAR_WIDTH);
    const stacksLine = `stacks: ${stackNames.join(', ') || '-'}`;
    title.push(stacksLine.length > maxTitleChars ? `${stacksLine.slice(0, maxTitleChars - 1)}…` : stacksLine);
    const width = innerWidth + 2 * REGION_PAD;
    const height = HEADER + rows * boxHeight + (rows - 1) * GAP + REGION_PAD;
    regions.push({ id: region, region, x, y: GAP, width, height, lines: title });
    inRegion.forEach((n, i) => {
      boxes.push({
        id: n.id,
        region,
        lines: n.wrapped,
        width: boxWidth,
        height: boxHeight,
        x: x + REGION_PAD + (i % cols) * (boxWidth + GAP),
        y: GAP + HEADER + Math.floor(i / cols) * (boxHeight + GAP),
      });
    });
    x += width + GAP;
  }
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const label = (id: string) => byId.get(id)?.lines.join(' ') ?? id;
  const legendLines = ['Edges (dashed: asynchronous):', ...arch.edges.map((e, i) => `${i + 1}. ${label(e.from)} -> ${label(e.to)}: ${e.label}`)];
  const regionsHeight = Math.max(0, ...regions.map((r) => r.height));
  const legendWidth = Math.max(...legendLines.map(textWidth)) + 2 * PAD;
  const legend: Box = { id: 'legend', x: GAP, y: GAP + regionsHeight + GAP, width: legendWidth, height: legendLines.length * LINE_HEIGHT + 2 * PAD, lines: legendLines };
  const width = Math.max(x, legend.x + legend.width + GAP);
  const height = legend.y + legend.height + GAP;

  const text = (b: Box, bold = 0) => b.lines.map((l, i) => `<text x="${b.x + PAD}" y="${b.y + PAD + (i + 1) * LINE_HEIGHT - 4}"${i < bold ? ' font-weight="bold"' : ''}>${escape(l)}</text>`).join('');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT_SIZE}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...regions.map((r) => `<g class="region"><rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="8" fill="#f4f7fb" stroke="#5b7db1"/>${text({ ...r, x: r.x + REGION_PAD - PAD }, 1)}</g>`),
    ...arch.edges.map((e, i) => {
      const a = byId.get(e.from);
      const b = byId.get(e.to);
      if (!a || !b) return '';
      const [x1, y1, x2, y2] = [...border(a, b), ...border(b, a)];
      return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"${e.dotted ? ' stroke-dasharray="6 4"' : ''}><title>${escape(`${i + 1}. ${e.label}`)}</title></line>`;
    }),
    ...boxes.map((b) => `<g class="resource"><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="4" fill="#ffffff" stroke="#333"/>${text(b)}</g>`),
    `<g class="legend">${text(legend, 1)}</g>`,
    '</svg>',
  ];
  return { width, height, regions, boxes, legend, svg: parts.filter((p) => p !== '').join('\n') + '\n' };
}
