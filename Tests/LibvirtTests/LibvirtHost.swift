#if canImport(Glibc)
import Glibc
#endif
import CLibvirt
import QEMURunner
import QMPTestSupport
import QMPWire

/// The machine's libvirt: installed and started by scripts/libvirt-setup.sh (virtlogd + libvirtd, no systemd).
/// Tests that need it call ``ready()``, which fails — never skips — when the daemons cannot be started.
enum LibvirtHost {
    /// The repository's root, from this file's path (Tests/LibvirtTests/LibvirtHost.swift).
    static let repositoryRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
        return path
    }()

    /// Runs the setup script (quick when everything already runs) and fails with its output if it fails.
    static func ready() async throws {
        let result = try await Subprocess.run([repositoryRoot + "/scripts/libvirt-setup.sh"], timeout: .seconds(600))
        guard result.termination.isSuccess else {
            throw TestSupportError(
                "scripts/libvirt-setup.sh failed (\(result.termination)): \(result.standardError) \(result.standardOutput)")
        }
    }
}

/// The test guest, booted by libvirt as a transient TCG domain (`<domain type='qemu'>`), with its serial console
/// on a Unix socket the test reads, and a CD drive (alias `ua-cdrom0`) holding disc A.
///
/// `@unchecked Sendable`: the libvirt pointers are thread-safe libvirt objects that never change after init.
final class TestDomain: @unchecked Sendable {
    static let cdromID = "ua-cdrom0"
    let name: String
    let console: SerialConsole
    let directory: TemporaryDirectory
    private let connection: virConnectPtr
    private let domain: virDomainPtr

    private init(name: String, console: SerialConsole, directory: TemporaryDirectory, connection: virConnectPtr, domain: virDomainPtr) {
        self.name = name
        self.console = console
        self.directory = directory
        self.connection = connection
        self.domain = domain
    }

    /// The monitor string for this domain.
    var monitor: String { "libvirt:\(name)" }

    /// Boots a domain, waits for the guest's shell, runs `body`, and destroys the domain on every path.
    /// `autoDestroy` (the default) has libvirt destroy the domain when this process's connection ends; a test that
    /// restarts libvirtd turns it off (the restart would end the domain too) and relies on ``destroy()``.
    static func with<T: Sendable>(_ label: String, autoDestroy: Bool = true, _ body: (TestDomain) async throws -> T)
        async throws -> T
    {
        try await LibvirtHost.ready()
        let directory = try TemporaryDirectory(prefix: "qmpkit-lv")
        let name = "qmpkit-\(label)-\(getpid())"
        let consolePath = directory.file("console.sock")
        guard let connection = virConnectOpen("qemu:///system") else {
            throw TestSupportError("cannot open qemu:///system: \(lastMessage())")
        }
        // Paused at first, so the console socket is connected before the guest prints anything; destroyed by
        // libvirt if this process dies (AUTODESTROY).
        let flags = VIR_DOMAIN_START_PAUSED.rawValue | (autoDestroy ? VIR_DOMAIN_START_AUTODESTROY.rawValue : 0)
        guard let domain = virDomainCreateXML(connection, xml(name: name, console: consolePath), flags) else {
            let message = lastMessage()
            virConnectClose(connection)
            throw TestSupportError("cannot create domain \(name): \(message)")
        }
        let testDomain: TestDomain
        do {
            let socket = try SocketConnection.connect(to: .unix(path: consolePath))
            testDomain = TestDomain(
                name: name, console: SerialConsole(connection: socket, logPath: consolePath), directory: directory,
                connection: connection, domain: domain)
        } catch {
            _ = virDomainDestroy(domain)
            virDomainFree(domain)
            virConnectClose(connection)
            throw error
        }
        do {
            guard virDomainResume(domain) == 0 else { throw TestSupportError("cannot resume \(name): \(lastMessage())") }
            try await testDomain.console.expect("QMPKIT-GUEST-READY", timeout: .seconds(120))
            try await testDomain.console.expect("guest# ", timeout: .seconds(30))
            let result = try await body(testDomain)
            testDomain.destroy()
            return result
        } catch {
            testDomain.destroy()
            throw error
        }
    }

    /// Stops the domain (QEMU is killed). Harmless twice. When this connection is dead (libvirtd restarted), a
    /// new one finds the domain by name.
    func destroy() {
        if virDomainIsActive(domain) == 1, virDomainDestroy(domain) == 0 { return }
        guard virConnectIsAlive(connection) != 1, let fresh = virConnectOpen("qemu:///system") else { return }
        defer { virConnectClose(fresh) }
        guard let again = virDomainLookupByName(fresh, name) else { return }
        _ = virDomainDestroy(again)
        virDomainFree(again)
    }

    deinit {
        virDomainFree(domain)
        virConnectClose(connection)
    }

    /// Runs `command` in the guest shell and returns its output (up to the next prompt).
    func run(_ command: String, timeout: Duration = .seconds(30)) async throws -> String {
        try console.send(command + "\n")
        let output = try await console.expect("guest# ", timeout: timeout)
        var text = ""
        for character in output.dropLast("guest# ".count) {
            if character == "\r\n" { text.append("\n") } else if character != "\r" { text.append(character) }
        }
        return text
    }

    /// Runs `command` until its output satisfies `condition` (the guest notices hot-plug asynchronously).
    func poll(_ command: String, timeout: Duration = .seconds(30), until condition: (String) -> Bool) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let output = try await run(command)
            if condition(output) { return output }
            guard clock.now < deadline else { throw TestSupportError("'\(command)' never gave the expected output; last: \(output)") }
        }
    }

    static var guestDirectory: String {
        if let value = getenv("QMPKIT_GUEST_DIR") { return String(cString: value) }
        return (getenv("HOME").map { String(cString: $0) } ?? "/root") + "/.cache/qmpkit/guest"
    }

    /// The domain definition: TCG, pc machine with ACPI (PCI hot-plug needs it), direct kernel boot of the test
    /// guest, a CD with disc A, the console on a Unix socket.
    static func xml(name: String, console: String, persistentOnly: Bool = false) -> String {
        let guest = guestDirectory
        return """
            <domain type='qemu'>
              <name>\(name)</name>
              <memory unit='MiB'>256</memory>
              <vcpu>1</vcpu>
              <os>
                <type arch='x86_64' machine='pc'>hvm</type>
                <kernel>\(guest)/vmlinux</kernel>
                <initrd>\(guest)/initrd.gz</initrd>
                <cmdline>console=ttyS0 quiet qmpkit.noecho</cmdline>
              </os>
              <features><acpi/></features>
              <on_poweroff>destroy</on_poweroff>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='cdrom'>
                  <driver name='qemu' type='raw'/>
                  <source file='\(guest)/a.iso'/>
                  <target dev='hdc' bus='ide'/>
                  <readonly/>
                  <alias name='\(cdromID)'/>
                </disk>
                <serial type='unix'>
                  <source mode='bind' path='\(console)'/>
                  <target port='0'/>
                </serial>
                <video><model type='none'/></video>
                <memballoon model='none'/>
                <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
              </devices>
            </domain>
            """
    }

    static func lastMessage() -> String {
        virGetLastError()?.pointee.message.map { String(cString: $0) } ?? "unknown libvirt error"
    }
}

/// A domain defined but never started (state "shut off"), undefined on every path.
enum ShutOffDomain {
    static func with<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        try await LibvirtHost.ready()
        let name = "qmpkit-off-\(getpid())"
        guard let connection = virConnectOpen("qemu:///system") else {
            throw TestSupportError("cannot open qemu:///system: \(TestDomain.lastMessage())")
        }
        defer { virConnectClose(connection) }
        guard let domain = virDomainDefineXML(connection, TestDomain.xml(name: name, console: "/tmp/\(name).sock")) else {
            throw TestSupportError("cannot define \(name): \(TestDomain.lastMessage())")
        }
        defer {
            _ = virDomainUndefine(domain)
            virDomainFree(domain)
        }
        return try await body(name)
    }
}
