#ifndef QMPKIT_LIBVIRT_LOADER_H
#define QMPKIT_LIBVIRT_LOADER_H

/* libvirt's types and constants come from its headers (libvirt-dev); its code is loaded with dlopen only when a
   libvirt monitor is used, so qmpsh does not pay for loading libvirt and its ~60 libraries on every start.
   Each qk_NAME calls libvirt's NAME. Call qk_libvirt_load first: it returns 0, or -1 with a message. */
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

/* Loads libvirt.so.0 and libvirt-qemu.so.0 once (thread-safe). 0 on success; -1 and *error set (static text)
   when they or one of their functions cannot be found. */
int qk_libvirt_load(const char **error);
virErrorPtr qk_virGetLastError(void);
void qk_virSetErrorFunc(void *userData, virErrorFunc handler);
int qk_virEventRunDefaultImpl(void);
int qk_virEventRegisterDefaultImpl(void);
int qk_virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result, unsigned int flags);
char *qk_virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout, unsigned int flags);
virDomainPtr qk_virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid);
virDomainPtr qk_virDomainLookupByName(virConnectPtr conn, const char *name);
int qk_virDomainIsPersistent(virDomainPtr dom);
int qk_virDomainIsActive(virDomainPtr dom);
int qk_virDomainGetState(virDomainPtr domain, int *state, int *reason, unsigned int flags);
const char * qk_virDomainGetName(virDomainPtr domain);
unsigned int qk_virDomainGetID(virDomainPtr domain);
int qk_virDomainFree(virDomainPtr domain);
int qk_virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb);
int qk_virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count);
int qk_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb);
virConnectPtr qk_virConnectOpen(const char *name);
int qk_virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags);
int qk_virConnectIsAlive(virConnectPtr conn);
int qk_virConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom, const char *event, virConnectDomainQemuMonitorEventCallback cb, void *opaque, virFreeCallback freecb, unsigned int flags);
int qk_virConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID);
int qk_virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID);
int qk_virConnectClose(virConnectPtr conn);
int qk_virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID, virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb);

/* Registers a lifecycle callback (VIR_DOMAIN_EVENT_ID_LIFECYCLE). The C macro VIR_DOMAIN_EVENT_CALLBACK casts the
   typed callback to the generic one; Swift cannot do that cast itself. */
static inline int qk_register_lifecycle(virConnectPtr conn, virDomainPtr dom, virConnectDomainEventCallback cb,
                                        void *opaque, virFreeCallback freecb) {
    return qk_virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(cb), opaque, freecb);
}

#endif
