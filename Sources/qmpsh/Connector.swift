import MonitorShell
import QMPSchema

/// How qmpsh opens the monitors named on its command line: QMP and direct HMP; further transports plug in here.
/// Schemas are kept between runs (``SchemaDiskCache/standard``; `QMPKIT_SCHEMA_CACHE=off` turns that off).
enum Connector {
    static let monitors: MonitorConnector = {
        var connector = MonitorConnector.standard
        connector.schemaDiskCache = SchemaDiskCache.standard
        return connector
    }()
}
