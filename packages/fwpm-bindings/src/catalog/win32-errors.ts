// Win32 and RPC status codes the management API returns besides FWP_E_*.
// Numbers: MinGW-w64's winerror.h. Messages: what a wfpkit caller should do.

import type { FwpErrorInfo } from './fwp-errors';

/** The Win32/RPC codes `fwpuclnt.dll` is known to return, by name. */
export const WIN32_ERRORS = {
  ERROR_SUCCESS: { name: 'ERROR_SUCCESS', code: 0, message: 'The operation completed successfully.' },
  ERROR_FILE_NOT_FOUND: { name: 'ERROR_FILE_NOT_FOUND', code: 2, message: 'The file does not exist: check the path passed to appIdFromFileName().' },
  ERROR_PATH_NOT_FOUND: { name: 'ERROR_PATH_NOT_FOUND', code: 3, message: 'The path does not exist: check the directory part of the path.' },
  ERROR_ACCESS_DENIED: {
    name: 'ERROR_ACCESS_DENIED',
    code: 5,
    message: 'Access denied: adding or deleting WFP objects needs an administrator. Run from an elevated prompt.',
  },
  ERROR_INVALID_HANDLE: {
    name: 'ERROR_INVALID_HANDLE',
    code: 6,
    message: 'The engine or enumeration handle is not valid (already closed?): open a new session.',
  },
  ERROR_NOT_ENOUGH_MEMORY: { name: 'ERROR_NOT_ENOUGH_MEMORY', code: 8, message: 'The engine ran out of memory: free resources and retry.' },
  ERROR_OUTOFMEMORY: { name: 'ERROR_OUTOFMEMORY', code: 14, message: 'The engine ran out of memory: free resources and retry.' },
  ERROR_NOT_SUPPORTED: { name: 'ERROR_NOT_SUPPORTED', code: 50, message: 'This Windows version does not support the request.' },
  ERROR_INVALID_PARAMETER: {
    name: 'ERROR_INVALID_PARAMETER',
    code: 87,
    message: 'A parameter is invalid (a NULL pointer, a bad flag or a malformed structure): check the arguments.',
  },
  ERROR_CALL_NOT_IMPLEMENTED: { name: 'ERROR_CALL_NOT_IMPLEMENTED', code: 120, message: 'The backend does not implement this function.' },
  ERROR_INSUFFICIENT_BUFFER: { name: 'ERROR_INSUFFICIENT_BUFFER', code: 122, message: 'A buffer passed in is too small.' },
  ERROR_INVALID_NAME: { name: 'ERROR_INVALID_NAME', code: 123, message: 'The file name or path syntax is invalid.' },
  ERROR_ALREADY_EXISTS: { name: 'ERROR_ALREADY_EXISTS', code: 183, message: 'The object already exists.' },
  ERROR_NOACCESS: { name: 'ERROR_NOACCESS', code: 998, message: 'A pointer passed to the API is not valid memory.' },
  ERROR_SERVICE_NOT_ACTIVE: {
    name: 'ERROR_SERVICE_NOT_ACTIVE',
    code: 1062,
    message: 'The Base Filtering Engine service is not running: start it with `sc start bfe` from an elevated prompt.',
  },
  ERROR_NOT_FOUND: { name: 'ERROR_NOT_FOUND', code: 1168, message: 'The object was not found.' },
  RPC_S_SERVER_UNAVAILABLE: {
    name: 'RPC_S_SERVER_UNAVAILABLE',
    code: 1722,
    message: 'The Base Filtering Engine (BFE) is not running or not reachable: start it with `sc start bfe` from an elevated prompt.',
  },
  RPC_S_CALL_FAILED: { name: 'RPC_S_CALL_FAILED', code: 1726, message: 'The call to the Base Filtering Engine failed: check that the BFE service is running.' },
  EPT_S_NOT_REGISTERED: {
    name: 'EPT_S_NOT_REGISTERED',
    code: 1753,
    message: 'The Base Filtering Engine (BFE) is not running: start it with `sc start bfe` from an elevated prompt.',
  },
} as const satisfies Record<string, FwpErrorInfo>;
