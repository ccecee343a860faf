import QMP

/// A kind of device the guest can be asked about.
public enum GuestDeviceKind: String, Sendable, CaseIterable {
    /// A block device (`guest-get-disks`).
    case disk
    /// A network interface (`guest-network-get-interfaces`).
    case nic
}

extension GuestAgentConnection {
    /// Whether the guest currently shows the device `id`: for a disk, its name with or without `/dev/`
    /// (`vdb`, `/dev/vdb`), its serial or its alias; for a NIC, its interface name or its MAC address.
    public func deviceIsPresent(_ kind: GuestDeviceKind, _ id: String, timeout: Duration? = nil) async throws -> Bool {
        switch kind {
        case .disk:
            let disks = try await disks(timeout: timeout)
            return disks.contains { disk in
                disk.name == id || disk.name == "/dev/" + id || disk.alias == id || disk.address?.serial == id
                    || disk.address?.device == id || disk.address?.device == "/dev/" + id
            }
        case .nic:
            let interfaces = try await networkInterfaces(timeout: timeout)
            return interfaces.contains { interface in
                interface.name == id || interface.hardwareAddress?.lowercased() == id.lowercased()
            }
        }
    }

    /// Waits until the guest shows the device `id` (see ``deviceIsPresent(_:_:timeout:)``), asking at a bounded
    /// rate (every 50 ms at first, then at most every 250 ms) until `timeout`. Returns how long it took.
    @discardableResult
    public func waitForDevice(_ kind: GuestDeviceKind, _ id: String, timeout: Duration) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + timeout
        var pause = Duration.milliseconds(50)
        while true {
            if try await deviceIsPresent(kind, id, timeout: max(deadline - clock.now, .milliseconds(1))) {
                return clock.now - start
            }
            guard clock.now + pause < deadline else {
                throw QMPTimeoutError(operation: "the guest to show \(kind.rawValue) \(id) (guest agent)", timeout: timeout)
            }
            // The agent has no notification for new devices: ask again after a short pause.
            try await Task.sleep(for: pause)
            pause = min(pause + .milliseconds(50), .milliseconds(250))
        }
    }
}
