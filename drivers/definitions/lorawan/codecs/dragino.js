// Dragino sensors. Fixed layouts, big-endian, from each model's user manual
// ("Uplink Payload"); the battery is in mV in the first two bytes, whose top
// bits some models use as flags.
var u16 = function (b, j) { return (b[j] << 8) | b[j + 1]; };
var s16 = function (b, j) { var v = u16(b, j); return v & 0x8000 ? v - 0x10000 : v; };
var s32 = function (b, j) { return ((b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3]) | 0; };
var u24 = function (b, j) { return (b[j] << 16) | (b[j + 1] << 8) | b[j + 2]; };
var batteryOf = function (b) { return (u16(b, 0) & 0x3fff) / 1000; };
function fixed(port, size, read) {
  return function (input) {
    var b = input.bytes;
    if (input.fPort !== port) return { data: {}, warnings: ['ignored FPort ' + input.fPort], errors: [] };
    if (b.length < size) return { data: {}, warnings: [], errors: ['expected ' + size + ' bytes, got ' + b.length] };
    var warnings = [];
    return { data: read(b, warnings), warnings: warnings, errors: [] };
  };
}

var codecs = {
  // LSE01 soil probe (port 2, 11 bytes): battery, DS18B20 ×10, soil moisture ×100 %, soil temperature ×100 °C, conductivity µS/cm, flags.
  lse01: {
    decodeUplink: fixed(2, 11, function (b) {
      return { battery: batteryOf(b), temperature: s16(b, 2) / 10, soilMoisture: u16(b, 4) / 100, soilTemperature: s16(b, 6) / 100, soilConductivity: u16(b, 8) };
    }),
  },
  // LDDS75 ultrasonic level (port 2, 8 bytes): battery, distance mm (0: no echo), interrupt, DS18B20 ×10, probe flag.
  ldds75: {
    decodeUplink: fixed(2, 8, function (b, warnings) {
      var d = { battery: batteryOf(b), interrupt: b[4] === 1 };
      if (u16(b, 2) === 0) warnings.push('no echo: nothing within range');
      else d.distance = u16(b, 2);
      if (b[7] === 1) d.temperature = s16(b, 5) / 10;
      return d;
    }),
  },
  // LHT65 temperature and humidity (port 2, 11 bytes): battery, SHT20 temperature ×100 and humidity ×10,
  // the external sensor's type (1: DS18B20 probe) and its temperature ×100.
  lht65: {
    decodeUplink: fixed(2, 11, function (b) {
      var d = { battery: batteryOf(b), temperature: s16(b, 2) / 100, humidity: u16(b, 4) / 10 };
      if ((b[6] & 0x7f) === 1 && u16(b, 7) !== 0x7fff) d.externalTemperature = s16(b, 7) / 100;
      return d;
    }),
  },
  // LWL02 water leak and LDS02 door (port 10, 10 bytes): bit 7 of byte 0 is the door open, bit 6 a leak;
  // then the mode (1: door, 2: leak), the count of events uint24 and the last one's duration in minutes uint24.
  lwl02: {
    decodeUplink: fixed(10, 10, function (b) {
      var d = { battery: batteryOf(b), leak: (b[0] & 0x40) !== 0 };
      if (b[2] === 2) { d.leaks = u24(b, 3); d.lastLeakMinutes = u24(b, 6); }
      return d;
    }),
  },
  lds02: {
    decodeUplink: fixed(10, 10, function (b) {
      var d = { battery: batteryOf(b), open: (b[0] & 0x80) !== 0 };
      if (b[2] === 1) { d.openings = u24(b, 3); d.lastOpenMinutes = u24(b, 6); }
      return d;
    }),
  },
  // LGT-92 GPS tracker (port 2, 15 bytes): latitude and longitude int32 ×10⁶, alarm bit and battery mV,
  // a flag byte, then roll and pitch int16 ×100. Latitude and longitude 0 mean no fix yet.
  lgt92: {
    decodeUplink: fixed(2, 15, function (b, warnings) {
      var d = { battery: (((b[8] & 0x3f) << 8) | b[9]) / 1000, alarm: (b[8] & 0x40) !== 0, roll: s16(b, 11) / 100, pitch: s16(b, 13) / 100 };
      var lat = s32(b, 0), lon = s32(b, 4);
      if (lat === 0 && lon === 0) warnings.push('no GPS fix');
      else { d.latitude = lat / 1e6; d.longitude = lon / 1e6; }
      return d;
    }),
  },
};
