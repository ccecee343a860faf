import MonitorShell

/// How qmpsh opens the monitors named on its command line: QMP and direct HMP; further transports plug in here.
enum Connector {
    static let monitors = MonitorConnector.standard
}
