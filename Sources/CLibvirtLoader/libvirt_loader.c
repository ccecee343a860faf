#include "libvirt_loader.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

static virErrorPtr (*p_virGetLastError)(void);
static void (*p_virSetErrorFunc)(void *userData, virErrorFunc handler);
static int (*p_virEventRunDefaultImpl)(void);
static int (*p_virEventRegisterDefaultImpl)(void);
static int (*p_virDomainQemuMonitorCommand)(virDomainPtr domain, const char *cmd, char **result, unsigned int flags);
static char *(*p_virDomainQemuAgentCommand)(virDomainPtr domain, const char *cmd, int timeout, unsigned int flags);
static virDomainPtr (*p_virDomainLookupByUUIDString)(virConnectPtr conn, const char *uuid);
static virDomainPtr (*p_virDomainLookupByName)(virConnectPtr conn, const char *name);
static int (*p_virDomainIsPersistent)(virDomainPtr dom);
static int (*p_virDomainIsActive)(virDomainPtr dom);
static int (*p_virDomainGetState)(virDomainPtr domain, int *state, int *reason, unsigned int flags);
static const char * (*p_virDomainGetName)(virDomainPtr domain);
static unsigned int (*p_virDomainGetID)(virDomainPtr domain);
static int (*p_virDomainFree)(virDomainPtr domain);
static int (*p_virConnectUnregisterCloseCallback)(virConnectPtr conn, virConnectCloseFunc cb);
static int (*p_virConnectSetKeepAlive)(virConnectPtr conn, int interval, unsigned int count);
static int (*p_virConnectRegisterCloseCallback)(virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb);
static virConnectPtr (*p_virConnectOpen)(const char *name);
static int (*p_virConnectListAllDomains)(virConnectPtr conn, virDomainPtr **domains, unsigned int flags);
static int (*p_virConnectIsAlive)(virConnectPtr conn);
static int (*p_virConnectDomainQemuMonitorEventRegister)(virConnectPtr conn, virDomainPtr dom, const char *event, virConnectDomainQemuMonitorEventCallback cb, void *opaque, virFreeCallback freecb, unsigned int flags);
static int (*p_virConnectDomainQemuMonitorEventDeregister)(virConnectPtr conn, int callbackID);
static int (*p_virConnectDomainEventDeregisterAny)(virConnectPtr conn, int callbackID);
static int (*p_virConnectClose)(virConnectPtr conn);
static int (*p_virConnectDomainEventRegisterAny)(virConnectPtr conn, virDomainPtr dom, int eventID, virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *load_error = NULL;

static void load(void) {
    void *virt = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!virt) { load_error = "libvirt is not installed (libvirt.so.0 not found; apt-get install libvirt0)"; return; }
    void *qemu = dlopen("libvirt-qemu.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!qemu) { load_error = "libvirt's QEMU API is not installed (libvirt-qemu.so.0 not found; apt-get install libvirt0)"; return; }
    if (!(*(void **)&p_virGetLastError = dlsym(virt, "virGetLastError"))) { load_error = "libvirt lacks virGetLastError (too old?)"; return; }
    if (!(*(void **)&p_virSetErrorFunc = dlsym(virt, "virSetErrorFunc"))) { load_error = "libvirt lacks virSetErrorFunc (too old?)"; return; }
    if (!(*(void **)&p_virEventRunDefaultImpl = dlsym(virt, "virEventRunDefaultImpl"))) { load_error = "libvirt lacks virEventRunDefaultImpl (too old?)"; return; }
    if (!(*(void **)&p_virEventRegisterDefaultImpl = dlsym(virt, "virEventRegisterDefaultImpl"))) { load_error = "libvirt lacks virEventRegisterDefaultImpl (too old?)"; return; }
    if (!(*(void **)&p_virDomainQemuMonitorCommand = dlsym(qemu, "virDomainQemuMonitorCommand"))) { load_error = "libvirt lacks virDomainQemuMonitorCommand (too old?)"; return; }
    if (!(*(void **)&p_virDomainQemuAgentCommand = dlsym(qemu, "virDomainQemuAgentCommand"))) { load_error = "libvirt lacks virDomainQemuAgentCommand (too old?)"; return; }
    if (!(*(void **)&p_virDomainLookupByUUIDString = dlsym(virt, "virDomainLookupByUUIDString"))) { load_error = "libvirt lacks virDomainLookupByUUIDString (too old?)"; return; }
    if (!(*(void **)&p_virDomainLookupByName = dlsym(virt, "virDomainLookupByName"))) { load_error = "libvirt lacks virDomainLookupByName (too old?)"; return; }
    if (!(*(void **)&p_virDomainIsPersistent = dlsym(virt, "virDomainIsPersistent"))) { load_error = "libvirt lacks virDomainIsPersistent (too old?)"; return; }
    if (!(*(void **)&p_virDomainIsActive = dlsym(virt, "virDomainIsActive"))) { load_error = "libvirt lacks virDomainIsActive (too old?)"; return; }
    if (!(*(void **)&p_virDomainGetState = dlsym(virt, "virDomainGetState"))) { load_error = "libvirt lacks virDomainGetState (too old?)"; return; }
    if (!(*(void **)&p_virDomainGetName = dlsym(virt, "virDomainGetName"))) { load_error = "libvirt lacks virDomainGetName (too old?)"; return; }
    if (!(*(void **)&p_virDomainGetID = dlsym(virt, "virDomainGetID"))) { load_error = "libvirt lacks virDomainGetID (too old?)"; return; }
    if (!(*(void **)&p_virDomainFree = dlsym(virt, "virDomainFree"))) { load_error = "libvirt lacks virDomainFree (too old?)"; return; }
    if (!(*(void **)&p_virConnectUnregisterCloseCallback = dlsym(virt, "virConnectUnregisterCloseCallback"))) { load_error = "libvirt lacks virConnectUnregisterCloseCallback (too old?)"; return; }
    if (!(*(void **)&p_virConnectSetKeepAlive = dlsym(virt, "virConnectSetKeepAlive"))) { load_error = "libvirt lacks virConnectSetKeepAlive (too old?)"; return; }
    if (!(*(void **)&p_virConnectRegisterCloseCallback = dlsym(virt, "virConnectRegisterCloseCallback"))) { load_error = "libvirt lacks virConnectRegisterCloseCallback (too old?)"; return; }
    if (!(*(void **)&p_virConnectOpen = dlsym(virt, "virConnectOpen"))) { load_error = "libvirt lacks virConnectOpen (too old?)"; return; }
    if (!(*(void **)&p_virConnectListAllDomains = dlsym(virt, "virConnectListAllDomains"))) { load_error = "libvirt lacks virConnectListAllDomains (too old?)"; return; }
    if (!(*(void **)&p_virConnectIsAlive = dlsym(virt, "virConnectIsAlive"))) { load_error = "libvirt lacks virConnectIsAlive (too old?)"; return; }
    if (!(*(void **)&p_virConnectDomainQemuMonitorEventRegister = dlsym(qemu, "virConnectDomainQemuMonitorEventRegister"))) { load_error = "libvirt lacks virConnectDomainQemuMonitorEventRegister (too old?)"; return; }
    if (!(*(void **)&p_virConnectDomainQemuMonitorEventDeregister = dlsym(qemu, "virConnectDomainQemuMonitorEventDeregister"))) { load_error = "libvirt lacks virConnectDomainQemuMonitorEventDeregister (too old?)"; return; }
    if (!(*(void **)&p_virConnectDomainEventDeregisterAny = dlsym(virt, "virConnectDomainEventDeregisterAny"))) { load_error = "libvirt lacks virConnectDomainEventDeregisterAny (too old?)"; return; }
    if (!(*(void **)&p_virConnectClose = dlsym(virt, "virConnectClose"))) { load_error = "libvirt lacks virConnectClose (too old?)"; return; }
    if (!(*(void **)&p_virConnectDomainEventRegisterAny = dlsym(virt, "virConnectDomainEventRegisterAny"))) { load_error = "libvirt lacks virConnectDomainEventRegisterAny (too old?)"; return; }
}

int qk_libvirt_load(const char **error) {
    pthread_once(&once, load);
    if (load_error) {
        if (error) *error = load_error;
        return -1;
    }
    return 0;
}

virErrorPtr qk_virGetLastError(void) { return p_virGetLastError(); }
void qk_virSetErrorFunc(void *userData, virErrorFunc handler) { p_virSetErrorFunc(userData, handler); }
int qk_virEventRunDefaultImpl(void) { return p_virEventRunDefaultImpl(); }
int qk_virEventRegisterDefaultImpl(void) { return p_virEventRegisterDefaultImpl(); }
int qk_virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result, unsigned int flags) { return p_virDomainQemuMonitorCommand(domain, cmd, result, flags); }
char *qk_virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout, unsigned int flags) { return p_virDomainQemuAgentCommand(domain, cmd, timeout, flags); }
virDomainPtr qk_virDomainLookupByUUIDString(virConnectPtr conn, const char *uuid) { return p_virDomainLookupByUUIDString(conn, uuid); }
virDomainPtr qk_virDomainLookupByName(virConnectPtr conn, const char *name) { return p_virDomainLookupByName(conn, name); }
int qk_virDomainIsPersistent(virDomainPtr dom) { return p_virDomainIsPersistent(dom); }
int qk_virDomainIsActive(virDomainPtr dom) { return p_virDomainIsActive(dom); }
int qk_virDomainGetState(virDomainPtr domain, int *state, int *reason, unsigned int flags) { return p_virDomainGetState(domain, state, reason, flags); }
const char * qk_virDomainGetName(virDomainPtr domain) { return p_virDomainGetName(domain); }
unsigned int qk_virDomainGetID(virDomainPtr domain) { return p_virDomainGetID(domain); }
int qk_virDomainFree(virDomainPtr domain) { return p_virDomainFree(domain); }
int qk_virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb) { return p_virConnectUnregisterCloseCallback(conn, cb); }
int qk_virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count) { return p_virConnectSetKeepAlive(conn, interval, count); }
int qk_virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb) { return p_virConnectRegisterCloseCallback(conn, cb, opaque, freecb); }
virConnectPtr qk_virConnectOpen(const char *name) { return p_virConnectOpen(name); }
int qk_virConnectListAllDomains(virConnectPtr conn, virDomainPtr **domains, unsigned int flags) { return p_virConnectListAllDomains(conn, domains, flags); }
int qk_virConnectIsAlive(virConnectPtr conn) { return p_virConnectIsAlive(conn); }
int qk_virConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom, const char *event, virConnectDomainQemuMonitorEventCallback cb, void *opaque, virFreeCallback freecb, unsigned int flags) { return p_virConnectDomainQemuMonitorEventRegister(conn, dom, event, cb, opaque, freecb, flags); }
int qk_virConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID) { return p_virConnectDomainQemuMonitorEventDeregister(conn, callbackID); }
int qk_virConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID) { return p_virConnectDomainEventDeregisterAny(conn, callbackID); }
int qk_virConnectClose(virConnectPtr conn) { return p_virConnectClose(conn); }
int qk_virConnectDomainEventRegisterAny(virConnectPtr conn, virDomainPtr dom, int eventID, virConnectDomainEventGenericCallback cb, void *opaque, virFreeCallback freecb) { return p_virConnectDomainEventRegisterAny(conn, dom, eventID, cb, opaque, freecb); }
