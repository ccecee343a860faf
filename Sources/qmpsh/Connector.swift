import MonitorShell

/// How qmpsh opens the monitors named on its command line. Transports outside the standard ones (libvirt) are
/// added here, in one place: `MonitorConnector.standard.adding(scheme: "libvirt", ...)`.
enum Connector {
    static let connector = MonitorConnector.standard
}
