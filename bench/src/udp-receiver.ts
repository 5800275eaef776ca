import dgram from 'node:dgram';
import { RECV_BUFFER_BYTES } from '@hyphae/drivers/lorawan';

/**
 * The LoRaWAN bench's reference, in its own process: a bare UDP socket with
 * the hub's receive buffer size, counting datagrams and when the last one came.
 */
const s = dgram.createSocket('udp4');
let got = 0;
let lastAt = 0;
s.on('message', () => {
  got++;
  lastAt = Date.now();
});
s.bind(0, '127.0.0.1', () => {
  try {
    s.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch {
    // the kernel's default
  }
  process.send!({ port: s.address().port });
});
process.on('message', () => process.send!({ got, lastAt }));
