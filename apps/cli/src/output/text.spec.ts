import { drawTree, fields, table, when } from './text';

describe('text output', () => {
  it('aligns table columns, printing empty cells as "-"', () => {
    expect(
      table(
        ['ID', 'STATUS', 'OWNER'],
        [
          ['a1', 'active', 'alice'],
          ['b22', null, undefined],
        ],
      ),
    ).toBe(['ID   STATUS  OWNER', 'a1   active  alice', 'b22  -       -'].join('\n'));
  });

  it('aligns fields after their names', () => {
    expect(
      fields([
        ['id', 'a1'],
        ['risk tier', 'high'],
        ['parent', null],
      ]),
    ).toBe(['id:        a1', 'risk tier: high', 'parent:    -'].join('\n'));
  });

  it('draws a tree with box characters, however deep', () => {
    const tree = drawTree({
      label: 'root',
      children: [
        { label: 'a', children: [{ label: 'a1', children: [] }] },
        {
          label: 'b',
          children: [
            { label: 'b1', children: [] },
            { label: 'b2', children: [] },
          ],
        },
      ],
    });
    expect(tree).toBe(['root', '├── a', '│   └── a1', '└── b', '    ├── b1', '    └── b2'].join('\n'));
  });

  it('writes times to the second in UTC', () => {
    expect(when('2026-03-01T09:30:00.123Z')).toBe('2026-03-01 09:30:00Z');
    expect(when(null)).toBeUndefined();
  });
});
