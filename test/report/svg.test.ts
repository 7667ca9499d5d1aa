import { expectSvgLayoutSound, expectWellFormedXml } from './svg-checks';
import { Architecture } from '../../src/report/architecture';
import { MAX_CHARS, MAX_LINES, renderSvg, wrap } from '../../src/report/svg';

/** Three Regions with 1, 4 and 7 resources, long labels, characters XML escapes, and edges across Regions. */
function crowded(): Architecture {
  const nodes = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].flatMap((region, r) => Array.from({ length: [1, 4, 7][r] }, (_, i) => ({
    id: `${region}_${i}`,
    stack: `Stack${r}`,
    region,
    lines: [`resource ${i} with a label that is much longer than one box line <&> "quoted"`, 'a-single-word-label-longer-than-thirty-characters-long', 'third', 'fourth', 'fifth'],
    mermaidShape: '[""]',
  })));
  return {
    stacks: [{ id: 's0', title: 'Stack0 (us-east-1)', region: 'us-east-1' }, { id: 's1', title: 'Stack1 (eu-west-1)', region: 'eu-west-1' },
      { id: 's2', title: 'StackWithAVeryLongNameThatDoesNotFitInOneBoxWidthAtAll (ap-southeast-2)', region: 'ap-southeast-2' }],
    nodes,
    edges: [{ from: 'us-east-1_0', to: 'ap-southeast-2_6', label: 'replication <async>', dotted: true }, { from: 'eu-west-1_0', to: 'eu-west-1_3', label: 'same Region', dotted: false }],
  };
}

test('a crowded diagram keeps every box in its Region, no overlap, labels within their boxes, and parses as XML', () => {
  const layout = renderSvg(crowded());
  expect(layout.regions.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
  expect(layout.boxes).toHaveLength(12);
  expectSvgLayoutSound(layout);
  expectWellFormedXml(layout.svg);
  expect(layout.svg).toContain('&lt;&amp;&gt; &quot;quoted&quot;');
  expect(layout.svg.match(/<line /g)).toHaveLength(2);
  expect(layout.svg).toContain('stroke-dasharray');
});

test('the layout checks fail on overlapping boxes, a box outside its Region and a label wider than its box', () => {
  const layout = renderSvg(crowded());
  const [a, b] = layout.boxes.filter((x) => x.region === 'eu-west-1');
  expect(() => expectSvgLayoutSound({ ...layout, boxes: layout.boxes.map((x) => (x === b ? { ...b, x: a.x, y: a.y } : x)) })).toThrow();
  expect(() => expectSvgLayoutSound({ ...layout, boxes: layout.boxes.map((x) => (x === b ? { ...b, x: b.x + 10_000 } : x)) })).toThrow();
  expect(() => expectSvgLayoutSound({ ...layout, boxes: layout.boxes.map((x) => (x === b ? { ...b, lines: ['x'.repeat(MAX_CHARS + 10)] } : x)) })).toThrow();
  expect(() => expectWellFormedXml(layout.svg.replace('</svg>', ''))).toThrow();
});

test('wrap breaks at words, cuts long words, and truncates past the line limit with an ellipsis', () => {
  expect(wrap(['backup vault orders-dr', 'vault lock'])).toEqual(['backup vault orders-dr', 'vault lock']);
  expect(wrap(['x'.repeat(MAX_CHARS + 5)])).toEqual(['x'.repeat(MAX_CHARS), 'x'.repeat(5)]);
  const many = wrap(['one', 'two', 'three', 'four', 'five', 'six']);
  expect(many).toHaveLength(MAX_LINES);
  expect(many[MAX_LINES - 1]).toBe('four…');
  for (const line of wrap(['a '.repeat(100), 'b'.repeat(200)])) expect(line.length).toBeLessThanOrEqual(MAX_CHARS);
});
