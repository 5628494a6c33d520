/** Removes the run's temporary folder (run-temp.ts). */
import { leaveRunTemp } from './run-temp';

export default function unitTeardown(): void {
  leaveRunTemp();
}
