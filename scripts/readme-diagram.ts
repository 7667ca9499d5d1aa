/**
 * The README's architecture image. npm, PyPI and Construct Hub render the README without Mermaid, so the README shows
 * a PNG, docs/images/multi-region-postgres.png, rendered from the Mermaid block of docs/architecture.md that follows
 * the marker comment `<!-- readme-diagram: docs/images/multi-region-postgres.png -->`. The image is a PNG, not an SVG:
 * raw.githubusercontent.com serves an SVG as text/plain, which the registries' pages do not display as an image.
 *
 * Run with `npx ts-node --project tsconfig.dev.json scripts/readme-diagram.ts`. It installs @mermaid-js/mermaid-cli into
 * a scratch directory (never into the repository's node_modules), without the browser Puppeteer would download: the
 * rendering uses Debian's `chromium` package (`apt-get install chromium`; another binary through CHROMIUM). The image
 * carries the SHA-256 of the Mermaid source it was rendered from in a PNG text chunk; test/docs/readme-diagram.test.ts
 * compares it with the source in docs/architecture.md.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { crc32 } from 'zlib';

export const ROOT = path.join(__dirname, '..');
/** The page that holds the Mermaid source. */
export const SOURCE_PAGE = 'docs/architecture.md';
/** The image, relative to the repository root. */
export const IMAGE = 'docs/images/multi-region-postgres.png';
/** The marker comment on the line before the source's ```mermaid fence. */
export const MARKER = `<!-- readme-diagram: ${IMAGE} -->`;
/** The PNG text chunk keyword under which the image records its source's SHA-256. */
export const HASH_KEYWORD = 'mermaid-source-sha256';
const MERMAID_CLI = '@mermaid-js/mermaid-cli@12.2.0';
/** Labels as SVG text (no HTML in foreignObject), wrapped only where the source has `<br/>`. */
const MERMAID_CONFIG = { theme: 'default', htmlLabels: false, flowchart: { htmlLabels: false, wrappingWidth: 400 } };
/** The width of the PNG: the diagram's own width, so that nothing is scaled down. */
const IMAGE_SIZE = 1500;

/** The Mermaid block that follows the marker in `markdown`, without its fences. */
export function extractSource(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const at = lines.indexOf(MARKER);
  if (at < 0 || lines[at + 1] !== '```mermaid') throw new Error(`${SOURCE_PAGE}: no \`\`\`mermaid block after ${MARKER}`);
  const end = lines.indexOf('```', at + 2);
  if (end < 0) throw new Error(`${SOURCE_PAGE}: the Mermaid block after ${MARKER} is not closed`);
  return lines.slice(at + 2, end).join('\n') + '\n';
}

export function sourceHash(source: string): string {
  return createHash('sha256').update(source, 'utf-8').digest('hex');
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  const out: Chunk[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** The tEXt chunks of a PNG file, keyword to text. */
export function pngText(png: Buffer): Map<string, string> {
  const text = new Map<string, string>();
  for (const { type, data } of chunks(png)) {
    if (type !== 'tEXt') continue;
    const nul = data.indexOf(0);
    text.set(data.toString('latin1', 0, nul), data.toString('latin1', nul + 1));
  }
  return text;
}

/** The PNG file with a tEXt chunk `keyword` = `text` after its header chunk, replacing one of the same keyword. */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const encode = ({ type, data: d }: Chunk) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(d.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), d])), 0);
    return Buffer.concat([head, d, crc]);
  };
  const kept = chunks(png).filter((c) => !(c.type === 'tEXt' && c.data.toString('latin1', 0, c.data.indexOf(0)) === keyword));
  const [header, ...rest] = kept;
  return Buffer.concat([PNG_SIGNATURE, ...[header, { type: 'tEXt', data }, ...rest].map(encode)]);
}

function main(): void {
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) throw new Error(`no Chromium at ${chromium}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM`);
  const source = extractSource(fs.readFileSync(path.join(ROOT, SOURCE_PAGE), 'utf-8'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-diagram-'));
  try {
    execFileSync('npm', ['install', '--prefix', scratch, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', MERMAID_CLI], {
      stdio: 'inherit',
      env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
    });
    const file = (name: string, content: string) => {
      fs.writeFileSync(path.join(scratch, name), content);
      return path.join(scratch, name);
    };
    const input = file('diagram.mmd', source);
    const puppeteer = file('puppeteer.json', JSON.stringify({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'] }));
    const config = file('mermaid.json', JSON.stringify(MERMAID_CONFIG));
    const output = path.join(scratch, 'diagram.png');
    execFileSync(path.join(scratch, 'node_modules', '.bin', 'mmdc'),
      ['--quiet', '-p', puppeteer, '-c', config, '-i', input, '-o', output, '-b', 'white', '--size', String(IMAGE_SIZE)],
      { stdio: 'inherit' });
    const png = withPngText(fs.readFileSync(output), HASH_KEYWORD, sourceHash(source));
    fs.mkdirSync(path.dirname(path.join(ROOT, IMAGE)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, IMAGE), png);
    console.log(`${IMAGE}: rendered from ${SOURCE_PAGE} (${png.length} bytes)`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) main();
