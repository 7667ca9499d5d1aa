/**
 * The README renders on npm, PyPI and Construct Hub, which show neither Mermaid nor the repository's relative links:
 * its diagram is an image at an absolute address, rendered from the Mermaid source in docs/architecture.md
 * (scripts/readme-diagram.ts), and every link is absolute and names a file the repository has.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HASH_KEYWORD, IMAGE, ROOT, SOURCE_PAGE, extractSource, pngText, sourceHash, withPngText } from '../../scripts/readme-diagram';

const REPO = 'cdk-resilient-postgres/cdk-resilient-postgres';
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const page = fs.readFileSync(path.join(ROOT, SOURCE_PAGE), 'utf-8');
const image = fs.readFileSync(path.join(ROOT, IMAGE));

/** The README without its fenced code blocks and code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^ *```[^\n]*\n[\s\S]*?^ *```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of the Markdown links and images of `markdown` (outside code). */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

/** The path in this repository that an absolute link names (blob, tree or raw on the main branch), if any. */
function repositoryPath(url: string): string | undefined {
  const m = url.match(new RegExp(`^https://(?:github\\.com/${REPO}/(?:blob|tree)/main|raw\\.githubusercontent\\.com/${REPO}/main)/([^#?]+)`));
  return m?.[1];
}

/** The problems of a README for the registries' pages. */
function readmeProblems(markdown: string): string[] {
  const problems: string[] = [];
  if (/^ *```mermaid/m.test(markdown)) problems.push('a Mermaid block');
  for (const target of linkTargets(markdown)) {
    if (target.startsWith('#')) continue;
    if (!target.startsWith('https://')) {
      problems.push(`relative link ${target}`);
      continue;
    }
    const file = repositoryPath(target);
    if (file !== undefined && !fs.existsSync(path.join(ROOT, file))) problems.push(`link to a missing file ${target}`);
  }
  for (const m of prose(markdown).matchAll(/<\/?[a-zA-Z][^>]*>/g)) problems.push(`HTML ${m[0]}`);
  return problems;
}

test('the README has no Mermaid, no relative link, no HTML, and every link into the repository names a file it has', () => {
  expect(readmeProblems(readme)).toEqual([]);
});

test('the README check finds a Mermaid block, a relative link, HTML and a link to a missing file', () => {
  const bad = [
    '```mermaid', 'flowchart LR', '  a --> b', '```',
    'See [the API](API.md) and [old page](https://github.com/cdk-resilient-postgres/cdk-resilient-postgres/blob/main/docs/gone.md).',
    '<details><summary>more</summary></details>',
    'In code, `<zone>` and `[x](y.md)` are neither links nor HTML:',
    '```xml', '<dependency/>', '```',
  ].join('\n');
  expect(readmeProblems(bad)).toEqual([
    'a Mermaid block',
    'relative link API.md',
    'link to a missing file https://github.com/cdk-resilient-postgres/cdk-resilient-postgres/blob/main/docs/gone.md',
    'HTML <details>', 'HTML <summary>', 'HTML </summary>', 'HTML </details>',
  ]);
});

test('the README shows the architecture image by its absolute address, with alt text, and links to its Mermaid source', () => {
  const images = [...readme.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)];
  const diagram = images.find((m) => m[2] === `https://raw.githubusercontent.com/${REPO}/main/${IMAGE}`);
  expect(diagram).toBeDefined();
  expect(diagram![1]).toMatch(/^Architecture of MultiRegionPostgres: .{100,}/);
  expect(readme).toContain(`](https://github.com/${REPO}/blob/main/${SOURCE_PAGE}#multiregionpostgres)`);
  expect(page).toMatch(/^## MultiRegionPostgres$/m);
});

test('the image was rendered from the Mermaid source in docs/architecture.md as it is now', () => {
  // After a change to the source: npx ts-node --project tsconfig.dev.json scripts/readme-diagram.ts
  expect(pngText(image).get(HASH_KEYWORD)).toBe(sourceHash(extractSource(page)));
});

test('an image rendered from another version of the source, or without its record, is told apart', () => {
  const edited = extractSource(page).replace('promotes, guarded', 'promotes');
  expect(pngText(image).get(HASH_KEYWORD)).not.toBe(sourceHash(edited));
  const restamped = withPngText(image, HASH_KEYWORD, sourceHash(edited));
  expect(pngText(restamped).get(HASH_KEYWORD)).toBe(sourceHash(edited));
  expect(restamped.length).toBe(image.length);
  expect(() => extractSource(page.replace('<!-- readme-diagram:', '<!-- moved:'))).toThrow(/no ```mermaid block/);
});
