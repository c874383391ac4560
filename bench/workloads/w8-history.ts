import { progress } from '../harness.js';
import { describeHistoryWorkload, HISTORY_FULL, HISTORY_QUICK, runHistoryWorkload } from '../history-workload.js';
import { defineWorkload } from '../workload.js';

/** W8, history under fire: the fan-out's timing while the history endpoints are hammered (bench/history-workload.ts). */
export const history = defineWorkload({
  ids: ['W8'],
  full: HISTORY_FULL,
  quick: HISTORY_QUICK,
  async run(_bench, size) {
    progress('W8 history under fire');
    const result = await runHistoryWorkload(size);
    const line = describeHistoryWorkload(result);
    progress(line);
    return { details: { W8: result }, notes: [line] };
  },
});
