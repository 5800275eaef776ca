// Decentlab DL-5TM soil moisture and temperature sensor. Decentlab's generic
// frame (protocol version 2): version, device id uint16, a uint16 flag word
// saying which sensor groups follow, then each group's uint16 values, big-endian.
// Group 0 (2 values): dielectric permittivity ×50 and soil temperature (x − 400)/10.
// Group 1 (1 value): battery mV. Volumetric water content uses Topp's equation,
// as in Decentlab's DL-5TM data sheet.
function decodeUplink(input) {
  var b = input.bytes;
  if (b.length < 5 || b[0] !== 2) return { data: {}, warnings: [], errors: ['not a Decentlab protocol 2 frame'] };
  var flags = (b[3] << 8) | b[4], i = 5, data = { deviceId: (b[1] << 8) | b[2] };
  var next = function () { var v = (b[i] << 8) | b[i + 1]; i += 2; return v; };
  if (flags & 1) {
    if (b.length < i + 4) return { data: {}, warnings: [], errors: ['frame too short for the soil group'] };
    var e = next() / 50;
    data.permittivity = Math.round(e * 100) / 100;
    data.soilMoisture = Math.round((0.0000043 * e * e * e - 0.00055 * e * e + 0.0292 * e - 0.053) * 10000) / 100;
    data.soilTemperature = (next() - 400) / 10;
  }
  if (flags & 2) {
    if (b.length < i + 2) return { data: {}, warnings: [], errors: ['frame too short for the battery group'] };
    data.battery = next() / 1000;
  }
  return { data: data, warnings: [], errors: [] };
}
