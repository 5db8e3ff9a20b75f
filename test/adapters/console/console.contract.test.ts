import { adapterContract } from '../contract.ts';
import { ConsoleHarness } from './harness.ts';

adapterContract('Terminal', () => new ConsoleHarness());
