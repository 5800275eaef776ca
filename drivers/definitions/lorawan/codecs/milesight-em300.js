// Milesight EM300 series (EM300-TH temperature/humidity, EM300-DI pulse counter for
// water meters). Channel–type–value records, little-endian, from Milesight's
// EM300 user guides ("Uplink Data") and their published decoders:
//   01 75 battery %        03 67 temperature int16 ×10 °C     04 68 humidity uint8 ×2 %
//   05 00 digital input    05 C8 pulse counter uint32 (EM300-DI)
//   20 CE history record (EM300-TH, sent after the device could not reach a gateway):
//         Unix time uint32, temperature int16 ×10, humidity uint8 ×2, one reserved byte
// A water meter's litres are pulses × litres per pulse, given in the device's variables.
// Downlink (encodeDownlink): { reportingIntervalSeconds } → FF 03 uint16, the EM300's
// "set reporting interval" command, on port 85.
// A channel this file does not know has a length it cannot know either: what came before it
// is kept, the rest is skipped with a warning (as Milesight's own decoders do).
var LENGTHS = { '1/117': 1, '3/103': 2, '4/104': 1, '5/0': 1, '5/200': 4, '32/206': 8 };

function decodeUplink(input) {
  var b = input.bytes, data = {}, warnings = [], i = 0;
  var u16 = function (j) { return b[j] | (b[j + 1] << 8); };
  var i16 = function (j) { var v = u16(j); return v & 0x8000 ? v - 0x10000 : v; };
  var u32 = function (j) { return u16(j) + u16(j + 2) * 65536; };
  while (i + 1 < b.length) {
    var ch = b[i], type = b[i + 1], len = LENGTHS[ch + '/' + type];
    if (len === undefined) {
      warnings.push('unknown channel 0x' + ch.toString(16) + ' type 0x' + type.toString(16) + ': the last ' + (b.length - i) + ' bytes were skipped');
      break;
    }
    i += 2;
    if (i + len > b.length) {
      warnings.push('channel 0x' + ch.toString(16) + ' is cut short: the last ' + (b.length - i + 2) + ' bytes were skipped');
      break;
    }
    if (ch === 0x01) data.battery = b[i];
    else if (ch === 0x03) data.temperature = i16(i) / 10;
    else if (ch === 0x04) data.humidity = b[i] / 2;
    else if (ch === 0x05 && type === 0x00) data.digitalInput = b[i];
    else if (ch === 0x05) {
      data.pulses = u32(i);
      var lpp = input.variables && input.variables.litresPerPulse;
      if (lpp) data.volume = data.pulses * lpp;
    }
    else if (ch === 0x20) {
      data.history = data.history || [];
      data.history.push({ timestamp: u32(i), temperature: i16(i + 4) / 10, humidity: b[i + 6] / 2 });
    }
    i += len;
  }
  return { data: data, warnings: warnings, errors: [] };
}

function encodeDownlink(input) {
  var s = input.data && input.data.reportingIntervalSeconds;
  if (typeof s !== 'number' || s % 1 !== 0 || s < 60 || s > 64800) return { errors: ['reportingIntervalSeconds must be a whole number of seconds, 60–64800'] };
  return { bytes: [0xff, 0x03, s & 0xff, (s >> 8) & 0xff], fPort: 85, warnings: [], errors: [] };
}
