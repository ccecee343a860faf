import QMP

/// Typed agent commands (qemu-ga's schema, by hand until it is generated).
extension GuestAgentConnection {
    private func decode<T: Decodable>(_ type: T.Type, _ command: String, arguments: JSONObject? = nil,
                                      timeout: Duration? = nil) async throws -> T {
        let value = try await execute(command, arguments: arguments, timeout: timeout)
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch {
            throw GuestAgentDecodingError(command, value)
        }
    }

    private func integer(_ command: String, arguments: JSONObject? = nil, timeout: Duration? = nil) async throws -> Int {
        let value = try await execute(command, arguments: arguments, timeout: timeout)
        guard let number = value.intValue else { throw GuestAgentDecodingError(command, value) }
        return number
    }

    // MARK: - Basics

    /// `guest-ping`: returns once the agent answered.
    public func ping(timeout: Duration? = nil) async throws {
        _ = try await execute("guest-ping", arguments: nil, timeout: timeout)
    }

    /// `guest-info`: version and command list.
    public func info(timeout: Duration? = nil) async throws -> GuestAgentInfo {
        try await decode(GuestAgentInfo.self, "guest-info", timeout: timeout)
    }

    /// `guest-get-osinfo`.
    public func osInfo(timeout: Duration? = nil) async throws -> GuestOSInfo {
        try await decode(GuestOSInfo.self, "guest-get-osinfo", timeout: timeout)
    }

    /// `guest-get-time`: the guest's clock in nanoseconds since the epoch.
    public func time(timeout: Duration? = nil) async throws -> Int64 {
        let value = try await execute("guest-get-time", arguments: nil, timeout: timeout)
        guard let number = value.int64Value else { throw GuestAgentDecodingError("guest-get-time", value) }
        return number
    }

    /// `guest-get-users`.
    public func users(timeout: Duration? = nil) async throws -> [GuestUser] {
        try await decode([GuestUser].self, "guest-get-users", timeout: timeout)
    }

    // MARK: - Programs

    /// `guest-exec`: starts a program; returns its pid. `input` is given to its standard input.
    public func exec(
        _ path: String, arguments: [String] = [], environment: [String]? = nil, input: [UInt8]? = nil,
        captureOutput: Bool = true, timeout: Duration? = nil
    ) async throws -> Int {
        var request: JSONObject = ["path": .string(path)]
        if !arguments.isEmpty { request["arg"] = .array(arguments.map { .string($0) }) }
        if let environment { request["env"] = .array(environment.map { .string($0) }) }
        if let input { request["input-data"] = .string(Base64.encode(input)) }
        request["capture-output"] = .bool(captureOutput)
        let value = try await execute("guest-exec", arguments: request, timeout: timeout)
        guard let pid = value["pid"]?.intValue else { throw GuestAgentDecodingError("guest-exec", value) }
        return pid
    }

    /// `guest-exec-status`, with the output decoded.
    public func execStatus(pid: Int, timeout: Duration? = nil) async throws -> GuestExecStatus {
        try GuestExecStatus(try await execute("guest-exec-status", arguments: ["pid": .int(Int64(pid))], timeout: timeout))
    }

    /// Runs a program to its end and returns its status and output. Polls `guest-exec-status` (the agent has no
    /// notification) at a bounded rate: after 1 ms, then doubling up to every 50 ms, until `timeout`.
    public func run(
        _ path: String, arguments: [String] = [], environment: [String]? = nil, input: [UInt8]? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> GuestExecResult {
        let deadline = ContinuousClock.now + timeout
        let pid = try await exec(path, arguments: arguments, environment: environment, input: input, timeout: timeout)
        var pause = Duration.milliseconds(1)
        while true {
            let status = try await execStatus(pid: pid, timeout: max(deadline - .now, .milliseconds(1)))
            if status.exited { return GuestExecResult(status: status, pid: pid) }
            guard ContinuousClock.now + pause < deadline else {
                throw QMPTimeoutError(operation: "guest program \(path) (pid \(pid)) to exit", timeout: timeout)
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    // MARK: - Files

    /// `guest-file-open`: a handle. `mode` as fopen's (`r`, `w`, `a`, `r+`, ...).
    public func fileOpen(_ path: String, mode: String = "r", timeout: Duration? = nil) async throws -> Int {
        try await integer("guest-file-open", arguments: ["path": .string(path), "mode": .string(mode)], timeout: timeout)
    }

    /// `guest-file-read`: up to `count` bytes and whether the end was reached.
    public func fileRead(handle: Int, count: Int = 1 << 20, timeout: Duration? = nil) async throws
        -> (bytes: [UInt8], endOfFile: Bool)
    {
        let value = try await execute(
            "guest-file-read", arguments: ["handle": .int(Int64(handle)), "count": .int(Int64(count))], timeout: timeout)
        guard let text = value["buf-b64"]?.stringValue, let bytes = Base64.decode(text) else {
            throw GuestAgentDecodingError("guest-file-read", value)
        }
        return (bytes, value["eof"]?.boolValue ?? bytes.isEmpty)
    }

    /// `guest-file-write`: the number of bytes written.
    public func fileWrite(handle: Int, bytes: [UInt8], timeout: Duration? = nil) async throws -> Int {
        let value = try await execute(
            "guest-file-write", arguments: ["handle": .int(Int64(handle)), "buf-b64": .string(Base64.encode(bytes))],
            timeout: timeout)
        guard let count = value["count"]?.intValue else { throw GuestAgentDecodingError("guest-file-write", value) }
        return count
    }

    /// `guest-file-seek`: the new position. `whence`: `set`, `cur` or `end`.
    public func fileSeek(handle: Int, offset: Int, whence: String = "set", timeout: Duration? = nil) async throws -> Int {
        let value = try await execute(
            "guest-file-seek",
            arguments: ["handle": .int(Int64(handle)), "offset": .int(Int64(offset)), "whence": .string(whence)],
            timeout: timeout)
        guard let position = value["position"]?.intValue else { throw GuestAgentDecodingError("guest-file-seek", value) }
        return position
    }

    /// `guest-file-flush`.
    public func fileFlush(handle: Int, timeout: Duration? = nil) async throws {
        _ = try await execute("guest-file-flush", arguments: ["handle": .int(Int64(handle))], timeout: timeout)
    }

    /// `guest-file-close`.
    public func fileClose(handle: Int, timeout: Duration? = nil) async throws {
        _ = try await execute("guest-file-close", arguments: ["handle": .int(Int64(handle))], timeout: timeout)
    }

    /// Reads a whole file of the guest (open, read to the end, close).
    public func readFile(_ path: String, timeout: Duration? = nil) async throws -> [UInt8] {
        let handle = try await fileOpen(path, mode: "r", timeout: timeout)
        do {
            var contents: [UInt8] = []
            while true {
                let (bytes, end) = try await fileRead(handle: handle, timeout: timeout)
                contents += bytes
                if end || bytes.isEmpty { break }
            }
            try await fileClose(handle: handle, timeout: timeout)
            return contents
        } catch {
            try? await fileClose(handle: handle, timeout: timeout)
            throw error
        }
    }

    /// Writes a whole file in the guest (created or truncated), in chunks of 1 MiB.
    public func writeFile(_ path: String, contents: [UInt8], timeout: Duration? = nil) async throws {
        let handle = try await fileOpen(path, mode: "w", timeout: timeout)
        do {
            var offset = 0
            while offset < contents.count {
                let end = min(offset + (1 << 20), contents.count)
                let written = try await fileWrite(handle: handle, bytes: Array(contents[offset..<end]), timeout: timeout)
                guard written > 0 else { throw QMPUsageError("the guest agent wrote nothing to \(path)") }
                offset += written
            }
            try await fileClose(handle: handle, timeout: timeout)
        } catch {
            try? await fileClose(handle: handle, timeout: timeout)
            throw error
        }
    }

    // MARK: - Devices and file systems

    /// `guest-network-get-interfaces`.
    public func networkInterfaces(timeout: Duration? = nil) async throws -> [GuestNetworkInterface] {
        try await decode([GuestNetworkInterface].self, "guest-network-get-interfaces", timeout: timeout)
    }

    /// `guest-get-disks`.
    public func disks(timeout: Duration? = nil) async throws -> [GuestDisk] {
        try await decode([GuestDisk].self, "guest-get-disks", timeout: timeout)
    }

    /// `guest-get-fsinfo`.
    public func filesystems(timeout: Duration? = nil) async throws -> [GuestFilesystem] {
        try await decode([GuestFilesystem].self, "guest-get-fsinfo", timeout: timeout)
    }

    /// `guest-fsfreeze-status`: `thawed` or `frozen`.
    public func fsfreezeStatus(timeout: Duration? = nil) async throws -> String {
        let value = try await execute("guest-fsfreeze-status", arguments: nil, timeout: timeout)
        guard let status = value.stringValue else { throw GuestAgentDecodingError("guest-fsfreeze-status", value) }
        return status
    }

    /// `guest-fsfreeze-freeze` (or `guest-fsfreeze-freeze-list` with `mountpoints`): the number frozen.
    public func fsfreezeFreeze(mountpoints: [String]? = nil, timeout: Duration? = nil) async throws -> Int {
        if let mountpoints {
            return try await integer(
                "guest-fsfreeze-freeze-list", arguments: ["mountpoints": .array(mountpoints.map { .string($0) })],
                timeout: timeout)
        }
        return try await integer("guest-fsfreeze-freeze", timeout: timeout)
    }

    /// `guest-fsfreeze-thaw`: the number thawed.
    public func fsfreezeThaw(timeout: Duration? = nil) async throws -> Int {
        try await integer("guest-fsfreeze-thaw", timeout: timeout)
    }

    /// `guest-get-vcpus`.
    public func vcpus(timeout: Duration? = nil) async throws -> [GuestVCPU] {
        try await decode([GuestVCPU].self, "guest-get-vcpus", timeout: timeout)
    }

    /// `guest-set-vcpus`: brings CPUs on- or offline; the number of entries the guest processed.
    public func setVCPUs(_ vcpus: [GuestVCPU], timeout: Duration? = nil) async throws -> Int {
        let list: [JSON] = vcpus.map { ["logical-id": .int(Int64($0.logicalID)), "online": .bool($0.online)] }
        return try await integer("guest-set-vcpus", arguments: ["vcpus": .array(list)], timeout: timeout)
    }

    // MARK: - Power and accounts

    /// `guest-shutdown` (`mode`: `powerdown`, `halt` or `reboot`). The agent does not answer on success; this
    /// returns once the connection ended or no error came within the grace period.
    public func shutdown(mode: String = "powerdown", timeout: Duration? = nil) async throws {
        try await executeEndingConnection("guest-shutdown", arguments: ["mode": .string(mode)], timeout: timeout)
    }

    /// `guest-set-user-password`. The password travels base64-encoded and is redacted in every transcript and log.
    public func setUserPassword(user: String, password: String, crypted: Bool = false, timeout: Duration? = nil)
        async throws
    {
        _ = try await execute(
            "guest-set-user-password",
            arguments: [
                "username": .string(user), "password": .string(Base64.encode(Array(password.utf8))), "crypted": .bool(crypted),
            ], timeout: timeout)
    }
}
