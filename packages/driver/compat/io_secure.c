/*
 * io_secure.c - IoCreateDeviceSecure for the MinGW-w64 build (see wdmsec.h for why).
 *
 * Understands exactly WK_DEVICE_SDDL, "D:P(A;;GA;;;SY)(A;;GA;;;BA)": a DACL with two
 * allow ACEs, LocalSystem and BUILTIN\Administrators, each granted all access. The ACEs
 * carry FILE_ALL_ACCESS, what GENERIC_ALL maps to for a device (file) object, so no
 * generic mapping is left to chance. "P" (protected) has no effect on a device object,
 * which has no parent to inherit from. PASSIVE_LEVEL, from DriverEntry, before
 * DO_DEVICE_INITIALIZING is cleared: nobody can open the device until the DACL is set.
 */
#include <ntifs.h>

#include "wdmsec.h"

#undef IoCreateDeviceSecure

/* The one SDDL string this implementation knows (the contract's WK_DEVICE_SDDL). */
static const WCHAR wk_compat_sddl[] = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)";

static BOOLEAN wk_compat_is_known_sddl(PCUNICODE_STRING s)
{
    USHORT n = (USHORT)(sizeof wk_compat_sddl - sizeof(WCHAR));
    return s != NULL && s->Buffer != NULL && s->Length == n &&
           RtlCompareMemory(s->Buffer, wk_compat_sddl, n) == n;
}

NTSTATUS wk_compat_IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                                        PCUNICODE_STRING DefaultSDDLString,
                                        LPCGUID DeviceClassGuid, PDEVICE_OBJECT *DeviceObject)
{
    SECURITY_DESCRIPTOR sd;
    ULONG aclBuffer[64]; /* 256 bytes, ULONG-aligned: an ACL with two ACEs needs < 80 */
    PACL acl = (PACL)aclBuffer;
    PSID system, admins;
    ULONG aclBytes;
    HANDLE handle = NULL;
    PDEVICE_OBJECT device = NULL;
    NTSTATUS st;

    (void)DeviceClassGuid; /* no class key is written: the device is not PnP */
    *DeviceObject = NULL;
    if (!wk_compat_is_known_sddl(DefaultSDDLString)) {
        return STATUS_INVALID_PARAMETER;
    }
    system = SeExports->SeLocalSystemSid;
    admins = SeExports->SeAliasAdminsSid;
    aclBytes = (ULONG)sizeof(ACL) + 2u * ((ULONG)sizeof(ACCESS_ALLOWED_ACE) - (ULONG)sizeof(ULONG)) +
               RtlLengthSid(system) + RtlLengthSid(admins);
    if (aclBytes > sizeof aclBuffer) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    st = RtlCreateAcl(acl, aclBytes, ACL_REVISION);
    if (NT_SUCCESS(st)) {
        st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, system);
    }
    if (NT_SUCCESS(st)) {
        st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, admins);
    }
    if (NT_SUCCESS(st)) {
        st = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    }
    if (NT_SUCCESS(st)) {
        st = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
    }
    if (!NT_SUCCESS(st)) {
        return st;
    }
    st = IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType,
                        DeviceCharacteristics, Exclusive, &device);
    if (!NT_SUCCESS(st)) {
        return st;
    }
    st = ObOpenObjectByPointer(device, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode,
                               &handle);
    if (NT_SUCCESS(st)) {
        st = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);
        ZwClose(handle);
    }
    if (!NT_SUCCESS(st)) {
        IoDeleteDevice(device); /* never leave a device with the default security */
        return st;
    }
    *DeviceObject = device;
    return STATUS_SUCCESS;
}
