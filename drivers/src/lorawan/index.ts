/** The LoRaWAN driver's public surface: the one documented entry point for codecs and regions. */
export { GatewayServer, kernelDropsOnPort, RECV_BUFFER_BYTES, type GatewayStats, type Uplink } from './gateway-server.js';
export { ACTIVATION_MODES, NetworkServer, rx1DataRate, rx1Frequency, type DeviceRegistry, type DeviceUplink, type QueuedDownlink, type LorawanDevice, type NetworkServerEvents } from './network-server.js';
export { BUILT_IN_CODECS_DIR, Codec, CodecLoadError, loadCodecs, CODEC_LOAD_TIME_LIMIT_MS, CODEC_TIME_LIMIT_MS, type CodecDefinition, type DecodeResult } from './codecs.js';
export { loadRegions, DEFINITIONS_DIR, type Region } from './definitions.js';
export { lora, parseFrame, checkCounter, decryptPayload, fullFCnt, msb, buildJoinAccept, sessionKeys, FrameError, type LoraPacket } from './frames.js';
export { aesCmac, dataFrameMicOk } from './crypto.js';
export { readMacCommands, type ReadMacCommand } from './mac-commands.js';
export * as semtech from './semtech.js';
