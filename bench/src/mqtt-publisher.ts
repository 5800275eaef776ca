import { connectAsync } from 'mqtt';

/**
 * The MQTT bench's reference, in its own process: a bare client publishing
 * the same messages the hub would (same topics, same payloads, QoS 0,
 * retained) to the same broker, as fast as the client takes them.
 */
const [url, username, password, countArg, topicsArg] = process.argv.slice(2);
const count = Number(countArg);
const topics = Number(topicsArg);
const client = await connectAsync(url!, { username, password, clientId: `bench-ref-${process.pid}` });
process.send!({ ready: true });
process.once('message', async () => {
  for (let i = 0; i < count; i++) {
    client.publish(`hyphae/reference/sensor/${(i % topics).toString(16).padStart(16, '0')}/soilMoisture`, '31.25', { retain: true });
    // Let the socket drain now and then, as the hub's event loop does between batches.
    if (i % 2000 === 1999) await new Promise((r) => setImmediate(r));
  }
  await client.endAsync();
  process.send!({ done: true });
});
