/** CAP 1.2 import and export: pure functions, no IO. */
export {
  DIVISION_GEOCODE_NAMES,
  isAllowed,
  isDivisionGeocode,
  mapArea,
  normaliseDivisionCode,
} from './cap-area.ts';
export {
  alertToCap,
  type CapExportAlert,
  capTime,
  categoryOfEventCode,
  DLB_EVENT_CODE_NAME,
  EXPORT_GEOCODE_NAME,
  LEVEL_SEVERITY,
} from './cap-export.ts';
export { type ParseCapOptions, parseCap } from './cap-parse.ts';
export {
  CAP_SEVERITY,
  CAP11_NS,
  CAP12_NS,
  type CapAlert,
  type CapArea,
  type CapInfo,
  type CapReference,
  type CapResource,
  type CapSeverity,
  type CapValue,
} from './cap-schema.ts';
export {
  type CapImport,
  type CapImportContext,
  type CapTerminal,
  capToAlert,
  chooseInfo,
  DEFAULT_VALIDITY_MS,
  SEVERITY_LEVEL,
} from './cap-to-alert.ts';
export { CAP_DEFAULT_MAX_BYTES, readXml, type XmlElement } from './cap-xml.ts';
export { haversineKm, pointInCircle, pointInPolygon } from './geo.ts';
