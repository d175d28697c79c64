/* wdmsec.h - libwfpsim's minimal WDK-compatible wdmsec.h (IoCreateDeviceSecure). */
#ifndef WFPSIM_WDK_WDMSEC_H
#define WFPSIM_WDK_WDMSEC_H
#include "wdm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The simulator understands the SDDL forms "D:P(A;;GA;;;SY)(A;;GA;;;BA)" style: an ACE list of
 * allow ACEs for SY (SYSTEM), BA (Administrators), WD (Everyone), AU (Authenticated Users),
 * IU (Interactive); see src/kernel/ws_k_device.c. */
NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                              PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                              ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                              PDEVICE_OBJECT *DeviceObject);

#ifdef __cplusplus
}
#endif
#endif
