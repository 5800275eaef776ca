// Dragino LDDS75 ultrasonic distance (level) sensor, uplink on FPort 2 (8 bytes).
// Layout from Dragino's LDDS75 user manual, "Uplink Payload":
//   0-1 battery mV (upper bits are flags), 2-3 distance mm, 4 interrupt flag,
//   5-6 DS18B20 temperature ×10 (signed), 7 sensor flag (1 = probe connected).
// A distance of 0 means no echo (nothing in range).
function decodeUplink(input) {
  var b = input.bytes;
  if (input.fPort !== 2) return { data: {}, warnings: ['ignored FPort ' + input.fPort], errors: [] };
  if (b.length < 8) return { data: {}, warnings: [], errors: ['expected 8 bytes, got ' + b.length] };
  var distance = (b[2] << 8) | b[3];
  var t = (b[5] << 8) | b[6];
  if (t & 0x8000) t -= 0x10000;
  var data = { battery: (((b[0] << 8) | b[1]) & 0x3fff) / 1000, interrupt: b[4] === 1 };
  var warnings = [];
  if (distance === 0) warnings.push('no echo: nothing within range');
  else data.distance = distance;
  if (b[7] === 1) data.temperature = t / 10;
  return { data: data, warnings: warnings, errors: [] };
}
