import MonitorShell
import QMPLibvirt

/// How qmpsh opens the monitors named on its command line: QMP and direct HMP, and guests libvirt runs
/// (`libvirt:DOMAIN`, `libvirt+URI#DOMAIN`).
enum Connector {
    static let monitors = MonitorConnector.standard.adding(scheme: "libvirt", LibvirtMonitor.connect)
}
