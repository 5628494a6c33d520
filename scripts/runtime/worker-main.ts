/** A runtime worker: runs flows it is sent and answers with their results. Bundled by esbuild at start. */
import { parentPort } from 'node:worker_threads';
import { runFlow, type FlowRequest } from './flow';

parentPort?.on('message', (message: { id: number; request: FlowRequest }) => {
  void runFlow(message.request).then(
    (result) => parentPort?.postMessage({ id: message.id, result }),
    (error: unknown) => parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
