/*
 * wdmsec.h (compat) - IoCreateDeviceSecure for the MinGW-w64 build.
 *
 * The WDK's IoCreateDeviceSecure lives in the static library wdmsec.lib, which MinGW does
 * not have (its ddk/wdmsec.h maps the name to WdmlibIoCreateDeviceSecure, with no library
 * behind it). compat/io_secure.c implements the one SDDL string wfpkit uses
 * (WK_DEVICE_SDDL: D:P(A;;GA;;;SY)(A;;GA;;;BA)) with documented kernel routines: it creates
 * the device, builds a protected DACL granting GENERIC_ALL to LocalSystem and to the
 * Administrators alias (SIDs from SeExports), and applies it to the device object with
 * ZwSetSecurityObject through a kernel handle from ObOpenObjectByPointer. Any other SDDL
 * string is refused with STATUS_INVALID_PARAMETER, so the build cannot silently create a
 * device with different security than requested.
 */
#ifndef WK_COMPAT_WDMSEC_H
#define WK_COMPAT_WDMSEC_H

#include <ntddk.h>

NTSTATUS wk_compat_IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                        PCUNICODE_STRING DefaultSDDLString,
                                        LPCGUID DeviceClassGuid, PDEVICE_OBJECT *DeviceObject);
#define IoCreateDeviceSecure wk_compat_IoCreateDeviceSecure

#endif /* WK_COMPAT_WDMSEC_H */
