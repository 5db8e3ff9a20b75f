import { adapterContract } from '../contract.ts';
import { DiscordHarness } from './harness.ts';

adapterContract('Discord', () => new DiscordHarness());
