import MonitorShell
import QMPLibvirt

/// How qmpsh opens monitors: QMP and HMP sockets, and libvirt guests (`libvirt:DOMAIN`, `libvirt+URI#DOMAIN`).
enum Connector { static let monitors = MonitorConnector.standard.adding(scheme: "libvirt", LibvirtMonitor.connect) }
