import { IsolatedVpc, MultiAzPostgres } from '../../src';
import { acknowledgements, newApp, newStack, synthWithNag } from '../util';

test('probe', () => {
  const app = newApp();
  const stack = newStack(app);
  const net = new IsolatedVpc(stack, 'Network');
  new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint });
  const result = synthWithNag(app);
  console.log(JSON.stringify(result, undefined, 1));
  console.log(JSON.stringify(acknowledgements(app), undefined, 1));
});
