#ifndef QMPKIT_CLIBVIRT_SHIM_H
#define QMPKIT_CLIBVIRT_SHIM_H

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

/// Registers a lifecycle callback (VIR_DOMAIN_EVENT_ID_LIFECYCLE). The C macro VIR_DOMAIN_EVENT_CALLBACK casts
/// the typed callback to the generic one; Swift cannot do that cast itself.
static inline int qmpkit_register_lifecycle(virConnectPtr conn, virDomainPtr dom, virConnectDomainEventCallback cb,
                                            void *opaque, virFreeCallback freecb) {
    return virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(cb),
                                            opaque, freecb);
}

#endif
