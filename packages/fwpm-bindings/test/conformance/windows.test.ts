import { windowsBackend } from './backends';
import { conformance } from './suite';

const backend = windowsBackend();
if (backend) conformance(backend);
else test.skip('real engine (set WFPKIT_TEST_WINDOWS=1 on an elevated Windows prompt)', () => undefined);
