import GuestAgent
import MonitorShell
import QMPLibvirt
import QMPSchema

/// How qmpsh opens the monitors named on its command line: QMP and direct HMP, and guests libvirt runs
/// (`libvirt:DOMAIN`, `libvirt+URI#DOMAIN`).
/// Schemas are kept between runs (``SchemaDiskCache/standard``; `QMPKIT_SCHEMA_CACHE=off` turns that off).
enum Connector {
    static let monitors: MonitorConnector = {
        var connector = MonitorConnector.standard.adding(scheme: "libvirt", LibvirtMonitor.connect)
        connector.schemaDiskCache = SchemaDiskCache.standard
        connector.agents = agents
        return connector
    }()

    /// How qmpsh opens guest agents: `qga:PATH`, `qga:tcp:HOST:PORT`, and through libvirt `libvirt+qga:DOMAIN`.
    static let agents = GuestAgentConnector(libvirt: LibvirtAgent.open)
}
