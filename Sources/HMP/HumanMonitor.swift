public import QMP

/// A human monitor (HMP): through QMP's `human-monitor-command`, or over a direct `-monitor unix:` socket
/// (``HMPSocketClient``). Both return the same text for the same command.
public protocol HumanMonitor: Sendable {
    /// Runs one command line and returns its text as QEMU wrote it (lines end with `\r\n`).
    ///
    /// Throws ``HMPError`` when the text reports a failure, `QMPConnectionError` when the monitor is gone, and
    /// `QMPTimeoutError` after `timeout`.
    func run(_ commandLine: String, timeout: Duration?) async throws -> String

    /// Closes the connection.
    func close() async
}

extension QMPClient {
    /// Runs an HMP command through `human-monitor-command` and returns its text.
    ///
    /// Failures that HMP reports as text ("unknown command: 'x'", "Error: ...") are thrown as ``HMPError``.
    /// `cpuIndex` selects the CPU for commands that depend on one (`info registers`); leave it `nil` otherwise, so
    /// machines without CPUs work.
    public nonisolated(nonsending) func hmp(_ commandLine: String, cpuIndex: Int? = nil, timeout: Duration? = nil) async throws -> String {
        let output = try await execute(HumanMonitorCommand(commandLine, cpuIndex: cpuIndex), timeout: timeout)
        return try HMPFailureDetector.check(output, command: commandLine)
    }
}

/// A ``HumanMonitor`` over a QMP connection (`human-monitor-command`).
public struct QMPHumanMonitor: HumanMonitor {
    /// The QMP connection the commands go through; `close()` closes it.
    public let client: QMPClient
    /// The CPU that CPU-dependent commands (`info registers`) act on; nil uses QEMU's default CPU.
    public var cpuIndex: Int?

    /// A human monitor over `client`, with `cpuIndex` as the current CPU.
    public init(client: QMPClient, cpuIndex: Int? = nil) {
        self.client = client
        self.cpuIndex = cpuIndex
    }

    /// Runs `commandLine` with `human-monitor-command` and returns QEMU's text (lines end with `\r\n`).
    ///
    /// Throws ``HMPError`` when the text reports a failure, and what `QMPClient.execute` throws otherwise
    /// (`QMPConnectionError`, `QMPTimeoutError`, `CancellationError`). A nil `timeout` uses the client's
    /// `Configuration.defaultTimeout`.
    public func run(_ commandLine: String, timeout: Duration?) async throws -> String {
        try await client.hmp(commandLine, cpuIndex: cpuIndex, timeout: timeout)
    }

    /// Closes the QMP connection; commands still in flight fail.
    public func close() async { await client.close() }
}
