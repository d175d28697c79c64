/**
 * The shape of the wfpkit driver contract schema. One schema (./schema.ts) is the single
 * source of truth for the C header the driver compiles and the TypeScript module the
 * client imports; the generator (./generate.ts) turns it into both.
 */

/** Fixed-width little-endian integer types. Every width is explicit so C and TS agree. */
export type Prim = 'u8' | 'u16' | 'u32' | 'u64';

/** A field's type: an integer, a fixed array of bytes, or a nested struct by name. */
export type FieldType = Prim | { bytes: number } | { struct: string };

export interface FieldDef {
  name: string;
  type: FieldType;
  doc: string;
  /** Name of an enum or flags set in the schema whose values this field holds. */
  values?: string;
  /** Reserved fields must be zero when written and are ignored when read. */
  reserved?: boolean;
}

/**
 * A variable-length member stored after the fixed part of a record. The tail is the
 * concatenation of every var field in order; the record size is rounded up to 8.
 * A writer that must shorten a utf8 or utf16le member cuts it on a character boundary
 * (never inside a UTF-8 sequence or a surrogate pair) and sets RecordFlags.TRUNCATED.
 */
export interface VarFieldDef {
  name: string;
  encoding: 'utf8' | 'utf16le' | 'bytes';
  /** The fixed u16 field that holds this member's length in bytes. */
  lengthField: string;
  /** Largest length in bytes the driver ever writes. */
  max: number;
  doc: string;
}

export interface StructDef {
  /** TypeScript name (PascalCase). The C name is WK_ + SCREAMING_SNAKE of it. */
  name: string;
  doc: string;
  fields: FieldDef[];
  /** Expected sizeof; the generator refuses a schema whose layout disagrees. */
  size: number;
}

export interface RecordDef extends StructDef {
  /** Value of header.type; the first field of every record is the common header. */
  type: number;
  /** SCREAMING_SNAKE name used for the event type constant. */
  eventName: string;
  tail: VarFieldDef[];
}

export interface EnumValueDef {
  name: string;
  value: number;
  doc: string;
}

export interface EnumDef {
  name: string;
  doc: string;
  /** 'enum': exactly one value; 'flags': a bit set. */
  kind: 'enum' | 'flags';
  values: EnumValueDef[];
}

export type TransferMethod = 'BUFFERED' | 'IN_DIRECT' | 'OUT_DIRECT' | 'NEITHER';
export type RequiredAccess = 'ANY' | 'READ' | 'WRITE' | 'READ_WRITE';

export interface IoctlDef {
  /** SCREAMING_SNAKE; the constant is IOCTL_WFPKIT_<name>. */
  name: string;
  /** CTL_CODE function number (0x800 and above are for vendors). */
  function: number;
  method: TransferMethod;
  access: RequiredAccess;
  /** 'session': acts on the handle's own session; 'global': reports driver-wide state. */
  scope: 'session' | 'global' | 'both';
  input: string | null;
  output: string | null;
  /** When set, records of these event types follow the fixed output struct. */
  outputRecords?: string[];
  /** Smallest output buffer accepted, in bytes. */
  minOutput: number;
  doc: string;
  errors: string[];
}

export interface ErrorDef {
  /** Win32 error name as GetLastError reports it after DeviceIoControl. */
  name: string;
  win32: number;
  /** The NTSTATUS the driver completes the request with. */
  ntstatusName: string;
  ntstatus: number;
  meaning: string;
  fix: string;
}

export interface GuidDef {
  name: string;
  value: string;
  doc: string;
}

export interface ConstDef {
  name: string;
  value: number | string;
  doc: string;
}

export interface ContractSchema {
  version: { major: number; minor: number };
  deviceType: number;
  constants: ConstDef[];
  enums: EnumDef[];
  structs: StructDef[];
  header: StructDef;
  records: RecordDef[];
  ioctls: IoctlDef[];
  errors: ErrorDef[];
  guids: GuidDef[];
}
