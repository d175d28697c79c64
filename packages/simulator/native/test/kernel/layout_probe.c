/*
 * layout_probe.c - the same list of sizes, offsets and constant values compiled two ways:
 * on the host against the simulator's wdk/ headers (WFPSIM_HOST: printed by main), and by
 * x86_64-w64-mingw32-gcc against MinGW-w64's ddk headers (read back from .rdata).
 * test/kernel-layout.test.ts compares the two lists.
 */
#include <stddef.h>
#ifdef WFPSIM_HOST
#include <stdio.h>
#include <ntddk.h>
#include <fwpsk.h>
#elif defined(WFPSIM_PART_FWP)
#include <windows.h>
#include <fwptypes.h>
#else
#include <ntddk.h>
#include <csq.h>
#endif

#define SO(t) (unsigned long long)sizeof(t)
#define OF(t, m) (unsigned long long)offsetof(t, m)
#define V(x) (unsigned long long)(x)

const unsigned long long wfpsim_layout[] = {
    0x5741594f55540001ULL,
#ifndef WFPSIM_PART_FWP
    SO(UNICODE_STRING), OF(UNICODE_STRING, Buffer), SO(LARGE_INTEGER), SO(LIST_ENTRY), SO(GUID),
    SO(KEVENT), SO(KDPC), OF(KDPC, DeferredRoutine), OF(KDPC, DeferredContext), OF(KDPC, SystemArgument2),
    SO(KTIMER), OF(KTIMER, DueTime), OF(KTIMER, TimerListEntry), OF(KTIMER, Dpc), OF(KTIMER, Period),
    SO(MDL), OF(MDL, MdlFlags), OF(MDL, MappedSystemVa), OF(MDL, StartVa), OF(MDL, ByteCount), OF(MDL, ByteOffset),
    SO(IO_STATUS_BLOCK), OF(IO_STATUS_BLOCK, Information),
    SO(IRP), OF(IRP, MdlAddress), OF(IRP, Flags), OF(IRP, AssociatedIrp.SystemBuffer), OF(IRP, IoStatus),
    OF(IRP, RequestorMode), OF(IRP, Cancel), OF(IRP, CancelIrql), OF(IRP, UserIosb), OF(IRP, CancelRoutine),
    OF(IRP, UserBuffer), OF(IRP, Tail.Overlay.DriverContext), OF(IRP, Tail.Overlay.Thread),
    OF(IRP, Tail.Overlay.ListEntry), OF(IRP, Tail.Overlay.CurrentStackLocation), OF(IRP, Tail.Overlay.OriginalFileObject),
    SO(IO_STACK_LOCATION), OF(IO_STACK_LOCATION, Control), OF(IO_STACK_LOCATION, Parameters),
    OF(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength),
    OF(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength),
    OF(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode),
    OF(IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer), OF(IO_STACK_LOCATION, DeviceObject),
    OF(IO_STACK_LOCATION, FileObject), OF(IO_STACK_LOCATION, CompletionRoutine), OF(IO_STACK_LOCATION, Context),
    SO(FILE_OBJECT), OF(FILE_OBJECT, DeviceObject), OF(FILE_OBJECT, FsContext), OF(FILE_OBJECT, FsContext2),
    OF(FILE_OBJECT, FileName), OF(FILE_OBJECT, Lock), OF(FILE_OBJECT, IrpList), OF(FILE_OBJECT, FileObjectExtension),
    SO(DEVICE_OBJECT), OF(DEVICE_OBJECT, DriverObject), OF(DEVICE_OBJECT, Flags), OF(DEVICE_OBJECT, DeviceExtension),
    OF(DEVICE_OBJECT, DeviceType), OF(DEVICE_OBJECT, StackSize), OF(DEVICE_OBJECT, Queue),
    OF(DEVICE_OBJECT, AlignmentRequirement), OF(DEVICE_OBJECT, Dpc), OF(DEVICE_OBJECT, SecurityDescriptor),
    OF(DEVICE_OBJECT, DeviceLock), OF(DEVICE_OBJECT, DeviceObjectExtension), OF(DEVICE_OBJECT, Reserved),
    SO(DRIVER_OBJECT), OF(DRIVER_OBJECT, DeviceObject), OF(DRIVER_OBJECT, DriverExtension), OF(DRIVER_OBJECT, DriverName),
    OF(DRIVER_OBJECT, DriverInit), OF(DRIVER_OBJECT, DriverUnload), OF(DRIVER_OBJECT, MajorFunction),
    SO(IO_CSQ), OF(IO_CSQ, CsqInsertIrp), OF(IO_CSQ, CsqCompleteCanceledIrp), OF(IO_CSQ, ReservePointer),
    SO(IO_CSQ_IRP_CONTEXT), OF(IO_CSQ_IRP_CONTEXT, Irp), OF(IO_CSQ_IRP_CONTEXT, Csq),
#else
    SO(FWP_VALUE0), OF(FWP_VALUE0, uint32), SO(FWP_BYTE_BLOB), OF(FWP_BYTE_BLOB, data), SO(FWP_BYTE_ARRAY16),
    SO(FWP_CONDITION_VALUE0), SO(FWP_RANGE0), SO(FWP_V6_ADDR_AND_MASK),
#endif
#ifndef WFPSIM_PART_FWP
    /* constants */
    V(STATUS_SUCCESS), V(STATUS_PENDING), V(STATUS_CANCELLED), V(STATUS_INVALID_PARAMETER),
    V(STATUS_INVALID_DEVICE_REQUEST), V(STATUS_INFO_LENGTH_MISMATCH), V(STATUS_BUFFER_TOO_SMALL),
    V(STATUS_INVALID_DEVICE_STATE), V(STATUS_REVISION_MISMATCH), V(STATUS_DEVICE_BUSY),
    V(STATUS_INSUFFICIENT_RESOURCES), V(STATUS_OBJECT_NAME_EXISTS), V(STATUS_NOT_FOUND),
    V(STATUS_OBJECT_NAME_NOT_FOUND), V(STATUS_ACCESS_DENIED), V(STATUS_TIMEOUT), V(STATUS_DELETE_PENDING),
    V(IRP_MJ_CREATE), V(IRP_MJ_CLOSE), V(IRP_MJ_CLEANUP), V(IRP_MJ_DEVICE_CONTROL), V(IRP_MJ_MAXIMUM_FUNCTION),
    V(FILE_DEVICE_SECURE_OPEN), V(DO_BUFFERED_IO), V(DO_DEVICE_INITIALIZING), V(FILE_DEVICE_UNKNOWN),
    V(METHOD_BUFFERED), V(METHOD_OUT_DIRECT), V(METHOD_NEITHER), V(FILE_READ_ACCESS), V(FILE_WRITE_ACCESS),
    V(CTL_CODE(0x22, 0x801, METHOD_OUT_DIRECT, FILE_READ_ACCESS)), V(IO_NO_INCREMENT), V(SL_PENDING_RETURNED),
    V(DPFLTR_IHVNETWORK_ID), V(DPFLTR_ERROR_LEVEL), V(DPFLTR_INFO_LEVEL), V(NonPagedPoolNx), V(NormalPagePriority),
    V(DISPATCH_LEVEL), V(NotificationEvent), V(SynchronizationEvent), V(FO_SYNCHRONOUS_IO),
#else
    V(FWP_ACTION_BLOCK), V(FWP_ACTION_PERMIT), V(FWP_ACTION_CALLOUT_TERMINATING), V(FWP_ACTION_CALLOUT_INSPECTION),
    V(FWP_ACTION_CALLOUT_UNKNOWN), V(FWP_ACTION_CONTINUE), V(FWP_ACTION_NONE), V(FWP_ACTION_NONE_NO_MATCH),
    V(FWP_DIRECTION_INBOUND), V(FWP_UINT64), V(FWP_BYTE_ARRAY16_TYPE), V(FWP_BYTE_BLOB_TYPE), V(FWP_V4_ADDR_MASK),
    V(FWP_RANGE_TYPE), V(FWP_MATCH_FLAGS_ALL_SET), V(FWP_MATCH_NOT_EQUAL), V(FWP_CONDITION_FLAG_IS_LOOPBACK),
#endif
    0x5741594f55540002ULL,
};

#ifdef WFPSIM_HOST
int main(void)
{
    for (size_t i = 0; i < sizeof wfpsim_layout / sizeof wfpsim_layout[0]; i++)
        printf("%llu\n", wfpsim_layout[i]);
    return 0;
}
#endif
