// Publishes a random walk of ACME trades to barcast, one every 200 ms (README, "Broadcast your own trades").
const url = process.env.BARCAST_URL ?? 'http://localhost:8000';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${process.env.PUBLISH_TOKEN}` };
let price = 100;
for (let i = 0; i < Number(process.env.TRADES ?? Infinity); i += 1) {
  price = Math.max(1, price + Math.random() - 0.5);
  const trade = { symbol: 'ACME', price: Math.round(price * 100) / 100, size: 1 + Math.floor(Math.random() * 9), time: Date.now(), id: `demo-${Date.now()}-${i}` };
  const answer = await (await fetch(`${url}/api/v1/trades`, { method: 'POST', headers, body: JSON.stringify([trade]) })).json();
  console.log(trade.price, trade.size, answer.results?.[0]?.status ?? answer.code);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
