import { simBackend } from './backends';
import { conformance } from './suite';

conformance(simBackend());
