import { execFileSync } from 'child_process';
import { Box, LINE_HEIGHT, PAD, REGION_PAD, SvgLayout, textWidth } from '../../src/report/svg';

/** Every resource box inside its Region, no two boxes overlapping, every label within its box. */
export function expectSvgLayoutSound(layout: SvgLayout): void {
  const inside = (inner: Box, outer: Box) => inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
  const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const box of layout.boxes) {
    const region = layout.regions.find((r) => r.region === box.region)!;
    expect({ box: box.id, inside: inside(box, region) }).toEqual({ box: box.id, inside: true });
  }
  const all: Box[] = [...layout.regions, ...layout.boxes, layout.legend];
  for (const [i, a] of layout.boxes.entries()) {
    for (const b of layout.boxes.slice(i + 1)) expect({ a: a.id, b: b.id, overlap: overlap(a, b) }).toEqual({ a: a.id, b: b.id, overlap: false });
  }
  for (const [i, a] of layout.regions.entries()) {
    for (const b of [...layout.regions.slice(i + 1), layout.legend]) {
      expect({ a: a.id, b: b.id, overlap: overlap(a, b) }).toEqual({ a: a.id, b: b.id, overlap: false });
    }
  }
  for (const b of all) {
    // Text starts `lead` px from the box's left edge; its estimated extent must end `lead` px before the right edge.
    const lead = layout.regions.some((r) => r === b) ? REGION_PAD : PAD;
    for (const line of b.lines) {
      expect({ box: b.id, line, fits: 2 * lead + textWidth(line) <= b.width }).toEqual({ box: b.id, line, fits: true });
    }
    expect({ box: b.id, fits: 2 * PAD + b.lines.length * LINE_HEIGHT <= b.height || layout.regions.some((r) => r === b) })
      .toEqual({ box: b.id, fits: true });
    expect(b.x + b.width <= layout.width && b.y + b.height <= layout.height).toBe(true);
  }
}

/** The SVG parses with Python's XML parser (xml.etree) and its root is an svg element. */
export function expectWellFormedXml(svg: string): void {
  const root = execFileSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; print(E.fromstring(sys.stdin.read()).tag)'], { input: svg, encoding: 'utf-8', stdio: ['pipe', 'pipe', 'pipe'] });
  expect(root.trim()).toBe('{http://www.w3.org/2000/svg}svg');
}
