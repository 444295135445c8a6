import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { renderKafkaAccess } from '@agentgov/messaging';

const README = join(resolve(__dirname, '../..'), 'deploy/README.md');

describe('deploy/README.md', () => {
  it('gives operators the principals and ACLs the access table defines, exactly', () => {
    const text = readFileSync(README, 'utf8');
    const match = /<!-- kafka-access:begin -->\n([\s\S]*?)\n<!-- kafka-access:end -->/.exec(text);
    expect(match).not.toBeNull();
    // On a difference, paste the received text between the markers.
    expect(match![1]).toBe(renderKafkaAccess());
  });
});
