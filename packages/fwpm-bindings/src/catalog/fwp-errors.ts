// The FWP_E_* result codes of the Windows Filtering Platform.
//
// Numbers: MinGW-w64's winerror.h (x86_64-w64-mingw32, /usr/share/mingw-w64/include/winerror.h).
// Messages: what the code means for a caller and what to do about it (written for wfpkit).

/** One `FWP_E_*` code. */
export interface FwpErrorInfo {
  /** The winerror.h name, e.g. `FWP_E_ALREADY_EXISTS`. */
  readonly name: string;
  /** The unsigned 32-bit value returned by the API, e.g. `0x80320009`. */
  readonly code: number;
  /** What happened and what to do. */
  readonly message: string;
}

/** Every `FWP_E_*` code, by name. */
export const FWP_ERRORS = {
  FWP_E_CALLOUT_NOT_FOUND: { name: 'FWP_E_CALLOUT_NOT_FOUND', code: 0x80320001, message: 'No callout has that key or id: add the callout first, or check the key you passed.' },
  FWP_E_CONDITION_NOT_FOUND: { name: 'FWP_E_CONDITION_NOT_FOUND', code: 0x80320002, message: 'A condition field key is not known to the engine: use a field from the CONDITIONS catalogue.' },
  FWP_E_FILTER_NOT_FOUND: { name: 'FWP_E_FILTER_NOT_FOUND', code: 0x80320003, message: 'No filter has that key or id: it may already be deleted, or belonged to a dynamic session that closed.' },
  FWP_E_LAYER_NOT_FOUND: { name: 'FWP_E_LAYER_NOT_FOUND', code: 0x80320004, message: 'No layer has that key: use a layer from the LAYERS catalogue.' },
  FWP_E_PROVIDER_NOT_FOUND: { name: 'FWP_E_PROVIDER_NOT_FOUND', code: 0x80320005, message: 'No provider has that key: add the provider first (in the same transaction is fine).' },
  FWP_E_PROVIDER_CONTEXT_NOT_FOUND: { name: 'FWP_E_PROVIDER_CONTEXT_NOT_FOUND', code: 0x80320006, message: 'No provider context has that key: add it first, or check the key.' },
  FWP_E_SUBLAYER_NOT_FOUND: { name: 'FWP_E_SUBLAYER_NOT_FOUND', code: 0x80320007, message: 'No sublayer has that key: add the sublayer before the filters that use it.' },
  FWP_E_NOT_FOUND: { name: 'FWP_E_NOT_FOUND', code: 0x80320008, message: 'The object does not exist: check the key or id.' },
  FWP_E_ALREADY_EXISTS: { name: 'FWP_E_ALREADY_EXISTS', code: 0x80320009, message: 'An object with that key already exists: pick a new GUID, or delete the old object first.' },
  FWP_E_IN_USE: { name: 'FWP_E_IN_USE', code: 0x8032000a, message: 'The object is still referenced (a filter uses this sublayer/callout/provider): delete the dependants first.' },
  FWP_E_DYNAMIC_SESSION_IN_PROGRESS: { name: 'FWP_E_DYNAMIC_SESSION_IN_PROGRESS', code: 0x8032000b, message: 'A persistent object cannot be added from a dynamic session: open a non-dynamic session for it.' },
  FWP_E_WRONG_SESSION: { name: 'FWP_E_WRONG_SESSION', code: 0x8032000c, message: 'The object belongs to another session: change it from the session that created it.' },
  FWP_E_NO_TXN_IN_PROGRESS: { name: 'FWP_E_NO_TXN_IN_PROGRESS', code: 0x8032000d, message: 'Commit or abort was called without a transaction: begin one first.' },
  FWP_E_TXN_IN_PROGRESS: { name: 'FWP_E_TXN_IN_PROGRESS', code: 0x8032000e, message: 'A transaction is already open on this session: commit or abort it before beginning another.' },
  FWP_E_TXN_ABORTED: { name: 'FWP_E_TXN_ABORTED', code: 0x8032000f, message: 'The transaction was aborted (by a timeout or an earlier error): begin a new one and redo the changes.' },
  FWP_E_SESSION_ABORTED: { name: 'FWP_E_SESSION_ABORTED', code: 0x80320010, message: 'The session was aborted by the engine: close the handle and open a new session.' },
  FWP_E_INCOMPATIBLE_TXN: { name: 'FWP_E_INCOMPATIBLE_TXN', code: 0x80320011, message: 'The call is not allowed in a read-only transaction: begin a read/write transaction.' },
  FWP_E_TIMEOUT: { name: 'FWP_E_TIMEOUT', code: 0x80320012, message: 'Timed out waiting for the engine lock held by another transaction: retry, or raise txnWaitTimeoutInMSec.' },
  FWP_E_NET_EVENTS_DISABLED: { name: 'FWP_E_NET_EVENTS_DISABLED', code: 0x80320013, message: 'Net event collection is off: enable FWPM_ENGINE_COLLECT_NET_EVENTS first.' },
  FWP_E_INCOMPATIBLE_LAYER: { name: 'FWP_E_INCOMPATIBLE_LAYER', code: 0x80320014, message: 'The object cannot be used at that layer: pick a layer the callout or condition supports.' },
  FWP_E_KM_CLIENTS_ONLY: { name: 'FWP_E_KM_CLIENTS_ONLY', code: 0x80320015, message: 'Only kernel-mode clients may do this.' },
  FWP_E_LIFETIME_MISMATCH: { name: 'FWP_E_LIFETIME_MISMATCH', code: 0x80320016, message: 'A persistent object cannot reference a dynamic one: make both persistent, or both dynamic.' },
  FWP_E_BUILTIN_OBJECT: { name: 'FWP_E_BUILTIN_OBJECT', code: 0x80320017, message: 'Built-in objects cannot be changed or deleted.' },
  FWP_E_TOO_MANY_CALLOUTS: { name: 'FWP_E_TOO_MANY_CALLOUTS', code: 0x80320018, message: 'The engine has reached its limit of callouts: delete unused callouts.' },
  FWP_E_NOTIFICATION_DROPPED: { name: 'FWP_E_NOTIFICATION_DROPPED', code: 0x80320019, message: 'A change notification was dropped: re-read the state you subscribed to.' },
  FWP_E_TRAFFIC_MISMATCH: { name: 'FWP_E_TRAFFIC_MISMATCH', code: 0x8032001a, message: 'The traffic does not match the IPsec SA or policy.' },
  FWP_E_INCOMPATIBLE_SA_STATE: { name: 'FWP_E_INCOMPATIBLE_SA_STATE', code: 0x8032001b, message: 'The IPsec SA is in the wrong state for this call.' },
  FWP_E_NULL_POINTER: { name: 'FWP_E_NULL_POINTER', code: 0x8032001c, message: 'A required pointer was NULL: pass every required argument.' },
  FWP_E_INVALID_ENUMERATOR: { name: 'FWP_E_INVALID_ENUMERATOR', code: 0x8032001d, message: 'The enumeration template is invalid: check its layer, conditions and flags.' },
  FWP_E_INVALID_FLAGS: { name: 'FWP_E_INVALID_FLAGS', code: 0x8032001e, message: 'The flags field holds bits that are not allowed here: pass only documented flags.' },
  FWP_E_INVALID_NET_MASK: { name: 'FWP_E_INVALID_NET_MASK', code: 0x8032001f, message: 'The address mask or prefix length is invalid: use a contiguous mask or a prefix of 0-32 (IPv4) / 0-128 (IPv6).' },
  FWP_E_INVALID_RANGE: { name: 'FWP_E_INVALID_RANGE', code: 0x80320020, message: 'The range is invalid: its low value must not exceed its high value, and both must have the same type.' },
  FWP_E_INVALID_INTERVAL: { name: 'FWP_E_INVALID_INTERVAL', code: 0x80320021, message: 'The time interval is invalid: the start must be before the end.' },
  FWP_E_ZERO_LENGTH_ARRAY: { name: 'FWP_E_ZERO_LENGTH_ARRAY', code: 0x80320022, message: 'An array that must have at least one element is empty.' },
  FWP_E_NULL_DISPLAY_NAME: { name: 'FWP_E_NULL_DISPLAY_NAME', code: 0x80320023, message: 'displayData.name is required: give the object a name.' },
  FWP_E_INVALID_ACTION_TYPE: { name: 'FWP_E_INVALID_ACTION_TYPE', code: 0x80320024, message: 'The action type is not valid here: use block, permit or a callout action.' },
  FWP_E_INVALID_WEIGHT: { name: 'FWP_E_INVALID_WEIGHT', code: 0x80320025, message: 'The weight is out of range or has the wrong type: use FWP_UINT8 (0-15), FWP_UINT64, or leave it empty.' },
  FWP_E_MATCH_TYPE_MISMATCH: { name: 'FWP_E_MATCH_TYPE_MISMATCH', code: 0x80320026, message: 'The match type cannot be used with this value type (e.g. range with a non-range value).' },
  FWP_E_TYPE_MISMATCH: { name: 'FWP_E_TYPE_MISMATCH', code: 0x80320027, message: "The condition value has the wrong data type for its field: see the field's dataTypes in the catalogue." },
  FWP_E_OUT_OF_BOUNDS: { name: 'FWP_E_OUT_OF_BOUNDS', code: 0x80320028, message: 'A value is out of bounds for its field.' },
  FWP_E_RESERVED: { name: 'FWP_E_RESERVED', code: 0x80320029, message: 'A reserved field was used: leave it empty.' },
  FWP_E_DUPLICATE_CONDITION: { name: 'FWP_E_DUPLICATE_CONDITION', code: 0x8032002a, message: 'The same condition appears more than once where that is not allowed.' },
  FWP_E_DUPLICATE_KEYMOD: { name: 'FWP_E_DUPLICATE_KEYMOD', code: 0x8032002b, message: 'The same keying module appears more than once in the policy.' },
  FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER: { name: 'FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER', code: 0x8032002c, message: 'This action is not allowed at this layer.' },
  FWP_E_ACTION_INCOMPATIBLE_WITH_SUBLAYER: { name: 'FWP_E_ACTION_INCOMPATIBLE_WITH_SUBLAYER', code: 0x8032002d, message: 'This action is not allowed in this sublayer.' },
  FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER: { name: 'FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER', code: 0x8032002e, message: 'The provider context type cannot be used at this layer.' },
  FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT: { name: 'FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT', code: 0x8032002f, message: 'The provider context type cannot be used with this callout.' },
  FWP_E_INCOMPATIBLE_AUTH_METHOD: { name: 'FWP_E_INCOMPATIBLE_AUTH_METHOD', code: 0x80320030, message: 'The IPsec authentication method is not compatible with the policy.' },
  FWP_E_INCOMPATIBLE_DH_GROUP: { name: 'FWP_E_INCOMPATIBLE_DH_GROUP', code: 0x80320031, message: 'The IPsec Diffie-Hellman group is not compatible with the policy.' },
  FWP_E_EM_NOT_SUPPORTED: { name: 'FWP_E_EM_NOT_SUPPORTED', code: 0x80320032, message: 'IPsec extended mode is not supported with this policy.' },
  FWP_E_NEVER_MATCH: { name: 'FWP_E_NEVER_MATCH', code: 0x80320033, message: 'The filter conditions can never match: check for contradictory conditions.' },
  FWP_E_PROVIDER_CONTEXT_MISMATCH: { name: 'FWP_E_PROVIDER_CONTEXT_MISMATCH', code: 0x80320034, message: 'The provider context does not match the layer or callout it is used with.' },
  FWP_E_INVALID_PARAMETER: { name: 'FWP_E_INVALID_PARAMETER', code: 0x80320035, message: 'A parameter is invalid: check every field of the structure you passed.' },
  FWP_E_TOO_MANY_SUBLAYERS: { name: 'FWP_E_TOO_MANY_SUBLAYERS', code: 0x80320036, message: 'The engine has reached its limit of sublayers: delete unused sublayers.' },
  FWP_E_CALLOUT_NOTIFICATION_FAILED: { name: 'FWP_E_CALLOUT_NOTIFICATION_FAILED', code: 0x80320037, message: "The callout driver rejected the filter in its notify function: check the driver's log." },
  FWP_E_INVALID_AUTH_TRANSFORM: { name: 'FWP_E_INVALID_AUTH_TRANSFORM', code: 0x80320038, message: 'The IPsec authentication transform is invalid.' },
  FWP_E_INVALID_CIPHER_TRANSFORM: { name: 'FWP_E_INVALID_CIPHER_TRANSFORM', code: 0x80320039, message: 'The IPsec cipher transform is invalid.' },
} as const satisfies Record<string, FwpErrorInfo>;
