/// What `info network` prints: hubs with their ports, then every other network client, NICs with their peer.
///
/// ```
/// hub 0
///  \ hub0port1: #net177: index=0,type=user,net=10.0.2.0,restrict=off
///  \ hub0port0: rtl8139.0: index=0,type=nic,model=rtl8139,macaddr=52:54:00:12:34:56
/// nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56
///  \ n0: index=0,type=user,net=10.0.2.0,restrict=off
/// filters:
///   - f0: type=filter-buffer,interval=100000,...
/// ```
///
/// A ` \ ` line under `hub N` is a port of that hub (with the client on its other end, if any); under a client it
/// is that client's peer. `filters:` lists the filters of the client printed just before it.
///
/// ```swift
/// let network = try HMPNetworkInfo(parsing: text)
/// for nic in network.nics { print(nic.name, nic.macAddress ?? "-", network.peerName(ofNIC: nic.name) ?? "none") }
/// ```
public struct HMPNetworkInfo: Sendable, Hashable, Encodable {
    /// The hubs (`-net` and `hubport` netdevs), in order.
    public var hubs: [HMPNetworkHub]
    /// The clients outside hubs: NICs (with their netdev as ``HMPNetworkEntry/peer``) and unconnected netdevs.
    public var clients: [HMPNetworkEntry]

    /// A network listing with these hubs and clients.
    public init(hubs: [HMPNetworkHub] = [], clients: [HMPNetworkEntry] = []) {
        self.hubs = hubs
        self.clients = clients
    }

    /// Every NIC, on a hub or not, in the order QEMU printed them.
    public var nics: [HMPNetworkClient] {
        let onHubs = hubs.flatMap { $0.ports.compactMap(\.peer) }
        let outside = clients.flatMap { [$0.client] + ($0.peer.map { [$0] } ?? []) }
        return (onHubs + outside).filter { $0.type == "nic" }
    }

    /// The name of what a NIC is connected to: its netdev (`n0`) or its hub port (`hub0port0`); `nil` for a NIC
    /// without a peer or an unknown name.
    public func peerName(ofNIC name: String) -> String? {
        for hub in hubs {
            for port in hub.ports where port.peer?.name == name { return port.name }
        }
        for entry in clients {
            if entry.client.name == name { return entry.peer?.name }
            if entry.peer?.name == name { return entry.client.name }
        }
        return nil
    }
}

/// A hub (`hub 0`) and its ports.
public struct HMPNetworkHub: Sendable, Hashable, Encodable {
    /// The hub's number (`hub 0`).
    public var id: Int
    /// The hub's ports, in the order QEMU printed them.
    public var ports: [HMPNetworkHubPort]

    /// A hub numbered `id` with these ports.
    public init(id: Int, ports: [HMPNetworkHubPort] = []) {
        self.id = id
        self.ports = ports
    }
}

/// A hub port (`hub0port0`, or a `-netdev hubport,id=...`) and the client on its other end.
public struct HMPNetworkHubPort: Sendable, Hashable, Encodable {
    /// The port's name: `hub0port0`, or the `id` of a `-netdev hubport`.
    public var name: String
    /// The NIC or netdev plugged into the port; `nil` for a port with no peer.
    public var peer: HMPNetworkClient?

    /// A port named `name` with `peer` on its other end.
    public init(name: String, peer: HMPNetworkClient? = nil) {
        self.name = name
        self.peer = peer
    }
}

/// A top-level client line and the peer printed under it.
public struct HMPNetworkEntry: Sendable, Hashable, Encodable {
    /// The client the line names (a NIC or a netdev).
    public var client: HMPNetworkClient
    /// For a NIC, its netdev (QEMU prints netdevs that have a NIC only under that NIC).
    public var peer: HMPNetworkClient?

    /// A top-level line for `client`, with `peer` printed under it.
    public init(client: HMPNetworkClient, peer: HMPNetworkClient? = nil) {
        self.client = client
        self.peer = peer
    }
}

/// One network client: `NAME: index=0,type=TYPE,DETAILS`.
public struct HMPNetworkClient: Sendable, Hashable, Encodable {
    /// The client's name: a NIC's `id` (or `virtio-net-pci.0`, `rtl8139.0` without one), a netdev's `id`, or
    /// `#netNNN` for an unnamed `-net` backend.
    public var name: String
    /// The queue index (multi-queue clients are printed once per queue).
    public var queueIndex: Int?
    /// `nic`, `user`, `tap`, `socket`, `hubport`, `vhost-user`, ...
    public var type: String?
    /// The text after `type=...,`, as QEMU wrote it (`net=10.0.2.0,restrict=off`); may be empty.
    public var details: String
    /// ``details`` read as `key=value` pairs.
    public var parameters: HMPParameters
    /// The NIC model (`model=`).
    public var model: String?
    /// The NIC's MAC address (`macaddr=`).
    public var macAddress: String?
    /// The filters (`-object filter-*,netdev=...`) listed under the client.
    public var filters: [HMPNetworkFilter]

    /// A client; `parameters`, `model` and `macAddress` are read from `details` (`key=value` pairs separated by `,`).
    public init(
        name: String, queueIndex: Int? = nil, type: String? = nil, details: String = "",
        filters: [HMPNetworkFilter] = []
    ) {
        self.name = name
        self.queueIndex = queueIndex
        self.type = type
        self.details = details
        self.parameters = HMPParameters(parsing: details, separator: ",")
        self.model = parameters["model"]
        self.macAddress = parameters["macaddr"]
        self.filters = filters
    }
}

/// A filter line: `  - f0: type=filter-buffer,interval=100000,position=tail,status=on,...`.
public struct HMPNetworkFilter: Sendable, Hashable, Encodable {
    /// The filter object's id.
    public var id: String
    /// `filter-buffer`, `filter-dump`, `filter-mirror`, ...
    public var type: String?
    /// All `key=value` pairs after the id, `type` included.
    public var parameters: HMPParameters

    /// A filter with its `key=value` pairs; `type` is read from them.
    public init(id: String, parameters: HMPParameters) {
        self.id = id
        self.type = parameters["type"]
        self.parameters = parameters
    }
}
