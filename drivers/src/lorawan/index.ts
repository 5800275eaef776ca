/** The LoRaWAN driver's public surface: the one documented entry point for codecs and regions. */
export { GatewayServer, kernelDropsOnPort, RECV_BUFFER_BYTES, type GatewayStats } from './gateway-server.js';
export { StationServer, euiHex, id6, type StationServerOptions } from './basics-station.js';
export {
  Gateways,
  GATEWAY_PROTOCOLS,
  type Uplink,
  type Downlink,
  type DownlinkResult,
  type GatewayProtocol,
  type GatewayTransport,
  type StationContext,
} from './radio.js';
export {
  ACTIVATION_MODES,
  NetworkServer,
  type DeviceRegistry,
  type DeviceUplink,
  type QueuedDownlink,
  type LorawanDevice,
  type NetworkServerEvents,
} from './network-server.js';
export {
  BUILT_IN_CODECS_DIR,
  Codec,
  CodecLoadError,
  loadCodecs,
  CODEC_LOAD_TIME_LIMIT_MS,
  CODEC_TIME_LIMIT_MS,
  type CodecDefinition,
  type DecodeResult,
} from './codecs.js';
export { DEFINITIONS_DIR } from './definitions.js';
export {
  REGION_IDS,
  loadRegions,
  regionSchema,
  RegionFileError,
  datrOf,
  drOf,
  dataRate,
  maxAppPayload,
  rx1Frequency,
  rx1DataRate,
  cfList,
  readCfList,
  uplinkChannels,
  type Region,
  type RegionId,
} from './regions.js';
export { lora, parseFrame, checkCounter, decryptPayload, fullFCnt, msb, buildJoinAccept, sessionKeys, FrameError, type LoraPacket } from './frames.js';
export { aesCmac, dataFrameMicOk } from './crypto.js';
export { readMacCommands, type ReadMacCommand } from './mac-commands.js';
export * as semtech from './semtech.js';
