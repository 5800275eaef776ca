// Elsys sensors (ERS, ERS CO2, ELT-2, EMS). Every uplink is a run of
// type–value records, values big-endian, as Elsys's "Payload structure"
// document lists them; the same types mean the same on every model, so one
// decoder serves them all. A type this file does not know has a length it
// cannot know: what came before is kept, the rest skipped with a warning.
//   01 temperature int16 ×10 °C     02 humidity uint8 %         03 acceleration x,y,z int8
//   04 light uint16 lux             05 motion uint8 (count)      06 CO2 uint16 ppm
//   07 battery uint16 mV            08 analog input uint16 mV    0A pulses uint16 (since last)
//   0B pulses uint32 (absolute)     0C external temperature int16 ×10 °C
//   0D external digital uint8       0E external distance uint16 mm
//   11 occupancy uint8 (0 free, 1 pending, 2 occupied)  12 water leak uint8 (0–255)
//   14 pressure uint32 /1000 hPa    15 sound peak, average uint8 dB
// A water meter or rain gauge on an ELT-2's pulse input: volume = pulsesAbsolute × litresPerPulse,
// rain = pulsesAbsolute × mmPerPulse, both from the device's variables.
var R = {
  0x01: [2, function (b, j, d) { d.temperature = s16(b, j) / 10; }],
  0x02: [1, function (b, j, d) { d.humidity = b[j]; }],
  0x03: [3, function (b, j, d) { d.accelerationX = s8(b[j]); d.accelerationY = s8(b[j + 1]); d.accelerationZ = s8(b[j + 2]); }],
  0x04: [2, function (b, j, d) { d.light = u16(b, j); }],
  0x05: [1, function (b, j, d) { d.motion = b[j]; }],
  0x06: [2, function (b, j, d) { d.co2 = u16(b, j); }],
  0x07: [2, function (b, j, d) { d.battery = u16(b, j) / 1000; }],
  0x08: [2, function (b, j, d) { d.analogInput = u16(b, j) / 1000; }],
  0x0a: [2, function (b, j, d) { d.pulses = u16(b, j); }],
  0x0b: [4, function (b, j, d) { d.pulsesAbsolute = u16(b, j) * 65536 + u16(b, j + 2); }],
  0x0c: [2, function (b, j, d) { d.externalTemperature = s16(b, j) / 10; }],
  0x0d: [1, function (b, j, d) { d.externalDigital = b[j]; }],
  0x0e: [2, function (b, j, d) { d.externalDistance = u16(b, j); }],
  0x11: [1, function (b, j, d) { d.occupancy = b[j]; }],
  0x12: [1, function (b, j, d) { d.waterLeak = b[j]; }],
  0x14: [4, function (b, j, d) { d.pressure = (u16(b, j) * 65536 + u16(b, j + 2)) / 1000; }],
  0x15: [2, function (b, j, d) { d.soundPeak = b[j]; d.soundAverage = b[j + 1]; }],
};
var u16 = function (b, j) { return (b[j] << 8) | b[j + 1]; };
var s16 = function (b, j) { var v = u16(b, j); return v & 0x8000 ? v - 0x10000 : v; };
var s8 = function (v) { return v & 0x80 ? v - 0x100 : v; };

function decodeUplink(input) {
  var b = input.bytes, data = {}, warnings = [], errors = [], i = 0;
  while (i < b.length) {
    var r = R[b[i]];
    if (!r) {
      warnings.push('unknown type 0x' + b[i].toString(16) + ': the last ' + (b.length - i) + ' bytes were skipped');
      break;
    }
    if (i + 1 + r[0] > b.length) {
      warnings.push('type 0x' + b[i].toString(16) + ' is cut short: the last ' + (b.length - i) + ' bytes were skipped');
      break;
    }
    try {
      r[1](b, i + 1, data);
    } catch (e) {
      errors.push('type 0x' + b[i].toString(16) + ': ' + e.message);
    }
    i += 1 + r[0];
  }
  var v = input.variables || {};
  if (data.pulsesAbsolute !== undefined && v.litresPerPulse) data.volume = data.pulsesAbsolute * v.litresPerPulse;
  if (data.pulsesAbsolute !== undefined && v.mmPerPulse) data.rain = Math.round(data.pulsesAbsolute * v.mmPerPulse * 1000) / 1000;
  return { data: data, warnings: warnings, errors: errors };
}

var codecs = { ers: { decodeUplink: decodeUplink }, 'ers-co2': { decodeUplink: decodeUplink }, 'elt-2': { decodeUplink: decodeUplink }, ems: { decodeUplink: decodeUplink } };
