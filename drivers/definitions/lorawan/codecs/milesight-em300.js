// Milesight EM300 series (EM300-TH temperature/humidity, EM300-DI pulse counter for
// water meters). Channel–type–value records, little-endian, from Milesight's
// EM300 user guides ("Uplink Data"):
//   01 75 battery %        03 67 temperature int16 ×10 °C     04 68 humidity uint8 ×2 %
//   05 00 digital input    05 C8 pulse counter uint32 (EM300-DI)
// A water meter's litres are pulses × litres per pulse, given in the device's variables.
function decodeUplink(input) {
  var b = input.bytes, data = {}, warnings = [], i = 0;
  var u16 = function (j) { return b[j] | (b[j + 1] << 8); };
  while (i + 1 < b.length) {
    var ch = b[i], type = b[i + 1];
    i += 2;
    if (ch === 0x01 && type === 0x75) { data.battery = b[i]; i += 1; }
    else if (ch === 0x03 && type === 0x67) { var t = u16(i); if (t & 0x8000) t -= 0x10000; data.temperature = t / 10; i += 2; }
    else if (ch === 0x04 && type === 0x68) { data.humidity = b[i] / 2; i += 1; }
    else if (ch === 0x05 && type === 0x00) { data.digitalInput = b[i]; i += 1; }
    else if (ch === 0x05 && type === 0xc8) {
      var count = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 16777216;
      data.pulses = count;
      var lpp = input.variables && input.variables.litresPerPulse;
      if (lpp) data.volume = count * lpp;
      i += 4;
    }
    else return { data: data, warnings: warnings, errors: ['unknown channel 0x' + ch.toString(16) + ' type 0x' + type.toString(16)] };
  }
  return { data: data, warnings: warnings, errors: [] };
}
