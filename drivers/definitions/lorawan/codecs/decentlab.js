// Decentlab sensors. Every model sends Decentlab's generic frame (protocol
// version 2): version byte, device id uint16, a uint16 flag word saying which
// sensor groups follow, then each present group's uint16 values, big-endian.
// A model is its list of groups, each a number of words and how they become
// readings, from each model's data sheet; the battery group (mV) comes last.
function decentlab(groups) {
  return function (input) {
    var b = input.bytes;
    if (b.length < 5 || b[0] !== 2) return { data: {}, warnings: [], errors: ['not a Decentlab protocol 2 frame'] };
    var flags = (b[3] << 8) | b[4], i = 5, data = { deviceId: (b[1] << 8) | b[2] };
    for (var g = 0; g < groups.length; g++) {
      if (!(flags & (1 << g))) continue;
      var n = groups[g][0];
      if (b.length < i + 2 * n) return { data: {}, warnings: [], errors: ['frame too short for sensor group ' + g] };
      var x = [];
      for (var k = 0; k < n; k++) x.push((b[i + 2 * k] << 8) | b[i + 2 * k + 1]);
      i += 2 * n;
      groups[g][1](x, data);
    }
    return { data: data, warnings: [], errors: [] };
  };
}
var battery = [1, function (x, d) { d.battery = x[0] / 1000; }];
// Sensirion SHT35: T = 175·x/65535 − 45 °C, RH = 100·x/65535 %.
var sht35 = [2, function (x, d) { d.temperature = (175 * x[0]) / 65535 - 45; d.humidity = (100 * x[1]) / 65535; }];

var codecs = {
  // DL-5TM (METER 5TM probe): permittivity ×50, soil temperature (x − 400)/10; water content by Topp's equation, unrounded.
  'dl-5tm': {
    decodeUplink: decentlab([
      [2, function (x, d) {
        var e = x[0] / 50;
        d.permittivity = e;
        d.soilMoisture = (0.0000043 * e * e * e - 0.00055 * e * e + 0.0292 * e - 0.053) * 100;
        d.soilTemperature = (x[1] - 400) / 10;
      }],
      battery,
    ]),
  },
  // DL-MBX ultrasonic distance (water level in a tank, a ditch, a well): distance mm and how many of the samples echoed.
  'dl-mbx': { decodeUplink: decentlab([[2, function (x, d) { d.distance = x[0]; d.validSamples = x[1]; }], battery]) },
  'dl-sht35': { decodeUplink: decentlab([sht35, battery]) },
  // DL-LP8P: SHT35 air temperature and humidity, then the Senseair LP8's CO2 (filtered and raw ppm) and its own readings.
  'dl-lp8p': {
    decodeUplink: decentlab([
      sht35,
      [8, function (x, d) { d.co2 = x[0] - 32768; d.co2Raw = x[1] - 32768; d.co2SensorCapacitor = x[2] / 1000; d.co2SensorTemperature = (x[3] - 32768) / 100; d.co2SensorStatus = x[4]; d.co2SensorVoltage = x[5] / 1000; d.co2SensorErrorCount = x[6]; d.co2SensorIrSignal = x[7]; }],
      battery,
    ]),
  },
  // DL-ATM41 (METER ATMOS 41 all-in-one weather station): seventeen words, each offset by 32768.
  'dl-atm41': {
    decodeUplink: decentlab([
      [17, function (x, d) {
        var o = function (k, div) { return (x[k] - 32768) / (div || 1); };
        d.solarRadiation = o(0);
        d.precipitation = o(1, 1000);
        d.lightningStrikes = o(2);
        d.lightningDistance = o(3);
        d.windSpeed = o(4, 100);
        d.windDirection = o(5, 10);
        d.windGust = o(6, 100);
        d.airTemperature = o(7, 10);
        d.vaporPressure = o(8, 100);
        d.atmosphericPressure = o(9, 100);
        d.humidity = o(10, 10);
        d.sensorTemperature = o(11, 10);
        d.tiltX = o(12, 10);
        d.tiltY = o(13, 10);
        d.compassHeading = o(14);
        d.windSpeedNorth = o(15, 100);
        d.windSpeedEast = o(16, 100);
      }],
      battery,
    ]),
  },
};
