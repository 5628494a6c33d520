/** The unit project's set-up: the run's own temporary folder (run-temp.ts). */
import { enterRunTemp } from './run-temp';

export default function unitSetup(): void {
  enterRunTemp();
}
