// Dragino LSE01 LoRaWAN soil moisture & EC sensor, uplink on FPort 2 (11 bytes).
// Layout from Dragino's LSE01 user manual, section "Uplink Payload":
//   0-1 battery mV (upper 2 bits are flags), 2-3 DS18B20 temperature ×10 (signed),
//   4-5 soil moisture ×100 %, 6-7 soil temperature ×100 °C (signed), 8-9 conductivity µS/cm,
//   10 status flags.
function decodeUplink(input) {
  var b = input.bytes;
  if (input.fPort !== 2) return { data: {}, warnings: ['ignored FPort ' + input.fPort], errors: [] };
  if (b.length < 11) return { data: {}, warnings: [], errors: ['expected 11 bytes, got ' + b.length] };
  var s16 = function (hi, lo) { var v = (hi << 8) | lo; return v & 0x8000 ? v - 0x10000 : v; };
  return {
    data: {
      battery: (((b[0] << 8) | b[1]) & 0x3fff) / 1000,
      temperature: s16(b[2], b[3]) / 10,
      soilMoisture: ((b[4] << 8) | b[5]) / 100,
      soilTemperature: s16(b[6], b[7]) / 100,
      soilConductivity: (b[8] << 8) | b[9]
    },
    warnings: [],
    errors: []
  };
}
