import GuestAgent

extension MachineConfiguration {
    /// The name of the agent's virtio-serial port, which qemu-ga looks for.
    public static let agentPortName = "org.qemu.guest_agent.0"

    /// QEMU arguments for a guest agent port whose host side is a listening socket at `socketPath`.
    public static func agentArguments(socketPath: String) -> [String] {
        [
            "-chardev", "socket,id=qga0,path=\(escapeOption(socketPath)),server=on,wait=off",
            "-device", "virtio-serial-pci,id=qga-serial0",
            "-device", "virtserialport,chardev=qga0,name=\(agentPortName)",
        ]
    }
}

extension Guest {
    /// Waits until the guest agent answers (synchronising, with a fresh attempt every second, no sleeping), at
    /// most `timeout`. Throws ``RunnerError`` (`invalidConfiguration`) when the guest has no agent port, and
    /// `QMPTimeoutError` when no agent answered in time (the guest has no qemu-ga, or it is not running).
    public func waitForAgent(timeout: Duration = .seconds(60)) async throws {
        guard let agent else {
            throw RunnerError(
                .invalidConfiguration, "this guest has no guest agent port: boot it with --agent (MachineConfiguration.agent)")
        }
        try await agent.synchronize(timeout: timeout)
    }
}
