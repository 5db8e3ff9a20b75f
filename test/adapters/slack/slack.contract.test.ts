import { adapterContract } from '../contract.ts';
import { SlackHarness } from './harness.ts';

adapterContract('Slack', () => new SlackHarness());
