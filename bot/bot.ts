// Entry of the discord-bot unit: signals are handled from the first instant, then the bot loads.
import { exitEarlyOnSignals } from './shutdown.js';

exitEarlyOnSignals();
await import('./run.js');
