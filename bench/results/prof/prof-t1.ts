import { tradeAggregatorThroughput } from '../../trade-throughput.js';
const f = await tradeAggregatorThroughput({ warmupMs: 500, measureMs: 3000 }, (process.argv[2] ?? '1').split(',') as never);
console.log(f);
