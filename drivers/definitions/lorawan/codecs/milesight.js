// Milesight sensors (EM300, EM500, AM, WS series). Every uplink is a run of
// channel–type–value records, values little-endian, as Milesight's user guides
// ("Uplink Data") and their published decoders lay them out. The same channel
// and type can mean different things on different models (05 00 is a leak on
// an EM300-SLD and a digital input on an EM300-DI), so each model lists the
// records it sends; a record it does not list has a length this file cannot
// know, so what came before it is kept and the rest skipped with a warning.
//
// Shared records:
//   01 75 battery %                  FF xx device information after a join (skipped)
//   03 67 / 04 68 temperature int16 ×10 °C, humidity uint8 ×2 %
//   20 CE history record (EM300-TH after it could not reach a gateway):
//         Unix time uint32, temperature int16 ×10, humidity uint8 ×2, one reserved byte
// Downlinks on port 85: FF 03 uint16 sets the reporting interval (every model);
// a WS52x smart plug takes 08 01 FF (on) and 08 00 FF (off).
var u8 = function (b, j) { return b[j]; };
var u16 = function (b, j) { return b[j] | (b[j + 1] << 8); };
var i16 = function (b, j) { var v = u16(b, j); return v & 0x8000 ? v - 0x10000 : v; };
var u32 = function (b, j) { return u16(b, j) + u16(b, j + 2) * 65536; };

// [channel, type, length, field, read]
var BATTERY = [0x01, 0x75, 1, 'battery', u8];
var TEMPERATURE = [0x03, 0x67, 2, 'temperature', function (b, j) { return i16(b, j) / 10; }];
var HUMIDITY = [0x04, 0x68, 1, 'humidity', function (b, j) { return b[j] / 2; }];
var HISTORY = [0x20, 0xce, 8, 'history', function (b, j) { return { timestamp: u32(b, j), temperature: i16(b, j + 4) / 10, humidity: b[j + 6] / 2 }; }];
var INFO = [[0xff, 0x01, 1], [0xff, 0x09, 2], [0xff, 0x0a, 2], [0xff, 0x0b, 1], [0xff, 0x0f, 1], [0xff, 0x16, 8]].map(function (r) { return [r[0], r[1], r[2], null, null]; });

function decoder(records) {
  var table = {};
  records.concat([BATTERY], INFO).forEach(function (r) { table[r[0] + '/' + r[1]] = r; });
  return function (input) {
    var b = input.bytes, data = {}, warnings = [], errors = [], i = 0;
    while (i + 1 < b.length) {
      var ch = b[i], type = b[i + 1], r = table[ch + '/' + type];
      if (!r) {
        warnings.push('unknown channel 0x' + ch.toString(16) + ' type 0x' + type.toString(16) + ': the last ' + (b.length - i) + ' bytes were skipped');
        break;
      }
      i += 2;
      if (i + r[2] > b.length) {
        warnings.push('channel 0x' + ch.toString(16) + ' is cut short: the last ' + (b.length - i + 2) + ' bytes were skipped');
        break;
      }
      try {
        if (r[3] === 'history') (data.history = data.history || []).push(r[4](b, i));
        else if (r[3]) data[r[3]] = r[4](b, i);
      } catch (e) {
        errors.push('channel 0x' + ch.toString(16) + ': ' + e.message);
      }
      i += r[2];
    }
    if (data.pulses !== undefined && input.variables && input.variables.litresPerPulse) data.volume = data.pulses * input.variables.litresPerPulse;
    return { data: data, warnings: warnings, errors: errors };
  };
}

function reportingInterval(input) {
  var s = input.data && input.data.reportingIntervalSeconds;
  if (typeof s !== 'number' || s % 1 !== 0 || s < 60 || s > 64800) return { errors: ['reportingIntervalSeconds must be a whole number of seconds, 60–64800'] };
  return { bytes: [0xff, 0x03, s & 0xff, (s >> 8) & 0xff], fPort: 85, warnings: [], errors: [] };
}

var flag = function (b, j) { return b[j] === 1; };
var PULSES = [0x05, 0xc8, 4, 'pulses', u32];

var codecs = {
  em300: { decodeUplink: decoder([TEMPERATURE, HUMIDITY, HISTORY, [0x05, 0x00, 1, 'digitalInput', u8], PULSES]), encodeDownlink: reportingInterval },
  'em300-sld': { decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x05, 0x00, 1, 'leak', flag]]), encodeDownlink: reportingInterval },
  'em300-mcs': { decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x06, 0x00, 1, 'open', flag]]), encodeDownlink: reportingInterval },
  'em300-di': { decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x05, 0x00, 1, 'digitalInput', u8], PULSES]), encodeDownlink: reportingInterval },
  'em500-smtc': {
    decodeUplink: decoder([[0x03, 0x67, 2, 'soilTemperature', function (b, j) { return i16(b, j) / 10; }], [0x04, 0x68, 1, 'soilMoisture', function (b, j) { return b[j] / 2; }], [0x05, 0x7f, 2, 'soilConductivity', u16]]),
    encodeDownlink: reportingInterval,
  },
  'em500-udl': { decodeUplink: decoder([[0x03, 0x82, 2, 'distance', u16]]), encodeDownlink: reportingInterval },
  'em500-co2': { decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x05, 0x7d, 2, 'co2', u16], [0x06, 0x73, 2, 'pressure', function (b, j) { return u16(b, j) / 10; }]]), encodeDownlink: reportingInterval },
  am103: { decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x07, 0x7d, 2, 'co2', u16]]), encodeDownlink: reportingInterval },
  am307: {
    decodeUplink: decoder([TEMPERATURE, HUMIDITY, [0x05, 0x00, 1, 'motion', flag], [0x06, 0xcb, 1, 'lightLevel', u8], [0x07, 0x7d, 2, 'co2', u16], [0x08, 0x7d, 2, 'tvocIndex', function (b, j) { return u16(b, j) / 100; }], [0x09, 0x73, 2, 'pressure', function (b, j) { return u16(b, j) / 10; }]]),
    encodeDownlink: reportingInterval,
  },
  ws301: { decodeUplink: decoder([[0x03, 0x00, 1, 'open', flag], [0x04, 0x00, 1, 'tampered', flag]]), encodeDownlink: reportingInterval },
  ws101: { decodeUplink: decoder([[0xff, 0x2e, 1, 'button', u8]]) },
  ws52x: {
    decodeUplink: decoder([[0x03, 0x74, 2, 'voltage', function (b, j) { return u16(b, j) / 10; }], [0x04, 0x80, 4, 'power', u32], [0x05, 0x81, 1, 'powerFactor', u8], [0x06, 0x83, 4, 'energy', u32], [0x07, 0xc9, 2, 'current', u16], [0x08, 0x70, 1, 'on', flag]]),
    encodeDownlink: function (input) {
      if (input.data && typeof input.data.on === 'boolean') return { bytes: [0x08, input.data.on ? 0x01 : 0x00, 0xff], fPort: 85, warnings: [], errors: [] };
      if (input.data && input.data.reportingIntervalSeconds !== undefined) return reportingInterval(input);
      return { errors: ['give { on: true | false } to switch the socket, or { reportingIntervalSeconds }'] };
    },
  },
};
