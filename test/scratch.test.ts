import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import { failoverApp } from './util';
test('scratch', () => {
  const { primaryStack, drStack } = failoverApp();
  fs.mkdirSync('/tmp/fo', { recursive: true });
  fs.writeFileSync('/tmp/fo/primary.json', JSON.stringify(Template.fromStack(primaryStack).toJSON()));
  fs.writeFileSync('/tmp/fo/dr.json', JSON.stringify(Template.fromStack(drStack).toJSON()));
});
