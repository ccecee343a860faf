import QMP
import QMPWire
import Testing

// Typed events decode from event lines QEMU 7.2 really sent (the `CapturedEvent` fixtures at the end of this
// file: run-state events from stop/cont/system_reset/quit, tray moves from eject/blockdev-change-medium, a job
// from blockdev-create, and the guest-side events from a booted test guest: device_del, CPU and DIMM hot-plug,
// balloon, NIC, a blkdebug-injected read error, a pvpanic write).

// MARK: - Helpers

private struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Parses a whole event line the way the client does.
private func event(_ line: String) throws -> QMPEvent {
    guard case .object(let object) = try JSON(parsing: line) else { throw FixtureError(description: "not an object") }
    guard case .event(let message) = try QMPMessage(object) else {
        throw FixtureError(description: "not an event: \(line)")
    }
    return QMPEvent(name: message.name, data: message.data, timestamp: message.timestamp, sequence: 1)
}

/// Parses an event line and decodes it as `type`, checking the wire name first.
private func decode<E: QMPEventType>(_ type: E.Type, _ line: String) throws -> E {
    let received = try event(line)
    #expect(received.name == E.name)
    return try received.decode(E.self)
}

@Suite struct TypedEventTests {
    /// The event names QEMU 7.2's `query-qmp-schema` declares (meta-type `event`), sorted.
    private static let qemu72EventNames: Set<String> = [
        "ACPI_DEVICE_OST", "BALLOON_CHANGE", "BLOCK_EXPORT_DELETED", "BLOCK_IMAGE_CORRUPTED", "BLOCK_IO_ERROR",
        "BLOCK_JOB_CANCELLED", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_ERROR", "BLOCK_JOB_PENDING", "BLOCK_JOB_READY",
        "BLOCK_WRITE_THRESHOLD", "COLO_EXIT", "DEVICE_DELETED", "DEVICE_TRAY_MOVED", "DEVICE_UNPLUG_GUEST_ERROR",
        "DUMP_COMPLETED", "FAILOVER_NEGOTIATED", "GUEST_CRASHLOADED", "GUEST_PANICKED", "JOB_STATUS_CHANGE",
        "MEMORY_DEVICE_SIZE_CHANGE", "MEMORY_FAILURE", "MEM_UNPLUG_ERROR", "MIGRATION", "MIGRATION_PASS",
        "NETDEV_STREAM_CONNECTED", "NETDEV_STREAM_DISCONNECTED", "NIC_RX_FILTER_CHANGED", "POWERDOWN",
        "PR_MANAGER_STATUS_CHANGED", "QUORUM_FAILURE", "QUORUM_REPORT_BAD", "RDMA_GID_STATUS_CHANGED", "RESET",
        "RESUME", "RTC_CHANGE", "SHUTDOWN", "SPICE_CONNECTED", "SPICE_DISCONNECTED", "SPICE_INITIALIZED",
        "SPICE_MIGRATE_COMPLETED", "STOP", "SUSPEND", "SUSPEND_DISK", "UNPLUG_PRIMARY", "VFU_CLIENT_HANGUP",
        "VNC_CONNECTED", "VNC_DISCONNECTED", "VNC_INITIALIZED", "VSERPORT_CHANGE", "WAKEUP", "WATCHDOG",
    ]

    @Test func wireNamesAreQEMUEvents() {
        let names = [
            ShutdownEvent.name, PowerdownEvent.name, ResetEvent.name, StopEvent.name, ResumeEvent.name,
            DeviceDeletedEvent.name, DeviceTrayMovedEvent.name, BlockIOErrorEvent.name, BalloonChangeEvent.name,
            ACPIDeviceOSTEvent.name, JobStatusChangeEvent.name, GuestPanickedEvent.name, NICRxFilterChangedEvent.name,
        ]
        #expect(Set(names).count == 13)
        for name in names {
            #expect(Self.qemu72EventNames.contains(name), "\(name) is not a QEMU 7.2 event")
        }
    }

    // MARK: - Run state

    @Test func shutdown() throws {
        let quit = try decode(ShutdownEvent.self, CapturedEvent.shutdownByQuit)
        #expect(quit == ShutdownEvent(guest: false, reason: .hostQMPQuit))
        let panic = try decode(ShutdownEvent.self, CapturedEvent.shutdownByPanic)
        #expect(panic.guest)
        #expect(panic.reason == .guestPanic)
    }

    @Test func powerdownStopResumeHaveNoData() throws {
        // QEMU sends no `data` member; the client fills in an empty object.
        let powerdown = try event(CapturedEvent.powerdown)
        #expect(powerdown.data == JSON.object([:]))
        _ = try decode(PowerdownEvent.self, CapturedEvent.powerdown)
        _ = try decode(StopEvent.self, CapturedEvent.stop)
        _ = try decode(StopEvent.self, CapturedEvent.stopAfterIOError)
        _ = try decode(ResumeEvent.self, CapturedEvent.resume)
        // Data a future QEMU might add does not break them.
        let withData = QMPEvent(name: "STOP", data: ["reason": "future"])
        _ = try withData.decode(StopEvent.self)
        #expect(try event(CapturedEvent.resume).timestamp
            == QMPTimestamp(seconds: 1_795_601_188, microseconds: 306_812))
    }

    @Test func reset() throws {
        let host = try decode(ResetEvent.self, CapturedEvent.resetByHost)
        #expect(host == ResetEvent(guest: false, reason: .hostQMPSystemReset))
        let guest = try decode(ResetEvent.self, CapturedEvent.resetByGuest)
        #expect(guest == ResetEvent(guest: true, reason: .guestReset))
    }

    @Test func guestPanicked() throws {
        let panicked = try decode(GuestPanickedEvent.self, CapturedEvent.guestPanicked)
        #expect(panicked.action == .poweroff)
        #expect(panicked.info == nil)
        // Hyper-V and s390 details, shaped as in QEMU 7.2's schema (psw-mask is a full 64-bit value).
        let hyperV = try JSONValueDecoder().decode(GuestPanickedEvent.self, from: JSON(parsing: #"""
            {"action": "pause", "info": {"type": "hyper-v", "arg1": 30, "arg2": 0, "arg3": 1, "arg4": 2, "arg5": 3}}
            """#))
        #expect(hyperV.action == .pause)
        #expect(hyperV.info?.type == "hyper-v")
        #expect(hyperV.info?.arg1 == 30)
        #expect(hyperV.info?.core == nil)
        let s390 = try JSONValueDecoder().decode(GuestPanickedEvent.self, from: JSON(parsing: #"""
            {"action": "run", "info": {"type": "s390", "core": 0, "psw-mask": 18446744073709551615,
             "psw-addr": 4096, "reason": "disabled-wait"}}
            """#))
        #expect(s390.info?.pswMask == UInt64.max)
        #expect(s390.info?.pswAddress == 4096)
        #expect(s390.info?.reason == "disabled-wait")
    }

    // MARK: - Devices

    @Test func deviceDeleted() throws {
        // A virtio device sends two: first its backend (no `device`), then the device itself.
        let backend = try decode(DeviceDeletedEvent.self, CapturedEvent.deviceDeletedBackend)
        #expect(backend.device == nil)
        #expect(backend.path == "/machine/peripheral/vd1/virtio-backend")
        let device = try decode(DeviceDeletedEvent.self, CapturedEvent.deviceDeleted)
        #expect(device == DeviceDeletedEvent(device: "vd1", path: "/machine/peripheral/vd1"))
    }

    @Test func deviceTrayMoved() throws {
        let opened = try decode(DeviceTrayMovedEvent.self, CapturedEvent.trayOpened)
        #expect(opened == DeviceTrayMovedEvent(device: "cd0", id: "cdrom0", trayOpen: true))
        let closed = try decode(DeviceTrayMovedEvent.self, CapturedEvent.trayClosed)
        #expect(!closed.trayOpen)
        #expect(closed.id == "cdrom0")
    }

    @Test func balloonChange() throws {
        // The guest gets there in steps; the last event has the target.
        let first = try decode(BalloonChangeEvent.self, CapturedEvent.balloonChangeFirst)
        let done = try decode(BalloonChangeEvent.self, CapturedEvent.balloonChangeDone)
        #expect(first.actual > done.actual)
        #expect(done == BalloonChangeEvent(actual: 384 << 20))
    }

    @Test func acpiDeviceOST() throws {
        let cpu = try decode(ACPIDeviceOSTEvent.self, CapturedEvent.acpiOSTCPU)
        #expect(cpu.info == ACPIOSTInfo(device: "cpu1", slot: "1", slotType: .cpu, source: 1, status: 0))
        #expect(cpu.info.succeeded)
        let dimm = try decode(ACPIDeviceOSTEvent.self, CapturedEvent.acpiOSTDIMM)
        #expect(dimm.info.slotType == .dimm)
        #expect(dimm.info.device == "dimm1")
        #expect(dimm.info.slot == "0")
        // A failed eject, without a device id, per the schema.
        let failed = try QMPEvent(name: "ACPI_DEVICE_OST", data: JSON(parsing: #"""
            {"info": {"slot": "1", "slot-type": "CPU", "source": 3, "status": 130}}
            """#)).decode(ACPIDeviceOSTEvent.self)
        #expect(failed.info.device == nil)
        #expect(!failed.info.succeeded)
    }

    @Test func nicRxFilterChanged() throws {
        let changed = try decode(NICRxFilterChangedEvent.self, CapturedEvent.nicRxFilterChanged)
        #expect(changed == NICRxFilterChangedEvent(name: "nic1", path: "/machine/peripheral/nic1/virtio-backend"))
    }

    // MARK: - Block layer

    @Test func blockIOError() throws {
        let error = try decode(BlockIOErrorEvent.self, CapturedEvent.blockIOError)
        // A -blockdev node has no backend name: `device` is empty and `node-name` says which.
        #expect(error.device == "")
        #expect(error.nodeName == "bad1")
        #expect(error.operation == .read)
        #expect(error.action == .stop)
        #expect(error.nospace == false)
        #expect(error.reason == "Input/output error")
    }

    @Test func jobStatusChange() throws {
        let lines = [
            CapturedEvent.job0, CapturedEvent.job1, CapturedEvent.job2, CapturedEvent.job3, CapturedEvent.job4,
            CapturedEvent.job5,
        ]
        let changes = try lines.map { try decode(JobStatusChangeEvent.self, $0) }
        #expect(changes.allSatisfy { $0.id == "j1" })
        #expect(changes.map(\.status) == [.created, .running, .waiting, .pending, .concluded, .null])
    }

    // MARK: - Tolerance

    @Test func unknownValuesAndMembersAreKept() throws {
        let shutdown = try QMPEvent(name: "SHUTDOWN", data: JSON(parsing: #"""
            {"guest": true, "reason": "guest-hibernate", "extra": 1}
            """#)).decode(ShutdownEvent.self)
        #expect(shutdown.reason == ShutdownCause(rawValue: "guest-hibernate"))
        let job = try QMPEvent(name: "JOB_STATUS_CHANGE", data: ["id": "j9", "status": "archived"])
            .decode(JobStatusChangeEvent.self)
        #expect(job.status.rawValue == "archived")
    }

    @Test func wrongShapesFail() {
        #expect(throws: DecodingError.self) {
            try QMPEvent(name: "DEVICE_DELETED", data: ["device": "vd1"]).decode(DeviceDeletedEvent.self)
        }
        #expect(throws: DecodingError.self) {
            try QMPEvent(name: "DEVICE_TRAY_MOVED", data: ["device": "cd0", "id": "cdrom0", "tray-open": "yes"])
                .decode(DeviceTrayMovedEvent.self)
        }
    }
}

// MARK: - Events captured from QEMU 7.2.22 (whole event lines as sent)

private enum CapturedEvent {
    static let resume = ##"{"timestamp": {"seconds": 1795601188, "microseconds": 306812}, "event": "RESUME"}"##
    static let stop = ##"{"timestamp": {"seconds": 1795601188, "microseconds": 608122}, "event": "STOP"}"##
    static let stopAfterIOError = ##"{"timestamp": {"seconds": 1795601745, "microseconds": 516191}, "event": "STOP"}"##
    static let resetByHost = ##"{"timestamp": {"seconds": 1795601188, "microseconds": 911495}, "event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}"##
    static let resetByGuest = ##"{"timestamp": {"seconds": 1795601779, "microseconds": 901106}, "event": "RESET", "data": {"guest": true, "reason": "guest-reset"}}"##
    static let powerdown = ##"{"timestamp": {"seconds": 1795601189, "microseconds": 212892}, "event": "POWERDOWN"}"##
    static let trayOpened = ##"{"timestamp": {"seconds": 1795601189, "microseconds": 514509}, "event": "DEVICE_TRAY_MOVED", "data": {"device": "cd0", "tray-open": true, "id": "cdrom0"}}"##
    static let trayClosed = ##"{"timestamp": {"seconds": 1795601189, "microseconds": 816308}, "event": "DEVICE_TRAY_MOVED", "data": {"device": "cd0", "tray-open": false, "id": "cdrom0"}}"##
    static let job0 = ##"{"timestamp": {"seconds": 1795601192, "microseconds": 639520}, "event": "JOB_STATUS_CHANGE", "data": {"status": "created", "id": "j1"}}"##
    static let job1 = ##"{"timestamp": {"seconds": 1795601192, "microseconds": 639642}, "event": "JOB_STATUS_CHANGE", "data": {"status": "running", "id": "j1"}}"##
    static let job2 = ##"{"timestamp": {"seconds": 1795601192, "microseconds": 640098}, "event": "JOB_STATUS_CHANGE", "data": {"status": "waiting", "id": "j1"}}"##
    static let job3 = ##"{"timestamp": {"seconds": 1795601192, "microseconds": 640127}, "event": "JOB_STATUS_CHANGE", "data": {"status": "pending", "id": "j1"}}"##
    static let job4 = ##"{"timestamp": {"seconds": 1795601192, "microseconds": 640142}, "event": "JOB_STATUS_CHANGE", "data": {"status": "concluded", "id": "j1"}}"##
    static let job5 = ##"{"timestamp": {"seconds": 1795601193, "microseconds": 642148}, "event": "JOB_STATUS_CHANGE", "data": {"status": "null", "id": "j1"}}"##
    static let shutdownByQuit = ##"{"timestamp": {"seconds": 1795601592, "microseconds": 19632}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}"##
    static let shutdownByPanic = ##"{"timestamp": {"seconds": 1795601784, "microseconds": 338029}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-panic"}}"##
    static let deviceDeletedBackend = ##"{"timestamp": {"seconds": 1795601739, "microseconds": 983361}, "event": "DEVICE_DELETED", "data": {"path": "/machine/peripheral/vd1/virtio-backend"}}"##
    static let deviceDeleted = ##"{"timestamp": {"seconds": 1795601739, "microseconds": 983783}, "event": "DEVICE_DELETED", "data": {"device": "vd1", "path": "/machine/peripheral/vd1"}}"##
    static let acpiOSTCPU = ##"{"timestamp": {"seconds": 1795601740, "microseconds": 4187}, "event": "ACPI_DEVICE_OST", "data": {"info": {"device": "cpu1", "source": 1, "status": 0, "slot": "1", "slot-type": "CPU"}}}"##
    static let acpiOSTDIMM = ##"{"timestamp": {"seconds": 1795601740, "microseconds": 49755}, "event": "ACPI_DEVICE_OST", "data": {"info": {"device": "dimm1", "source": 1, "status": 0, "slot": "0", "slot-type": "DIMM"}}}"##
    static let balloonChangeFirst = ##"{"timestamp": {"seconds": 1795601742, "microseconds": 66480}, "event": "BALLOON_CHANGE", "data": {"actual": 535822336}}"##
    static let balloonChangeDone = ##"{"timestamp": {"seconds": 1795601742, "microseconds": 444479}, "event": "BALLOON_CHANGE", "data": {"actual": 402653184}}"##
    static let nicRxFilterChanged = ##"{"timestamp": {"seconds": 1795601745, "microseconds": 125312}, "event": "NIC_RX_FILTER_CHANGED", "data": {"name": "nic1", "path": "/machine/peripheral/nic1/virtio-backend"}}"##
    static let blockIOError = ##"{"timestamp": {"seconds": 1795601745, "microseconds": 515937}, "event": "BLOCK_IO_ERROR", "data": {"device": "", "nospace": false, "node-name": "bad1", "reason": "Input/output error", "operation": "read", "action": "stop"}}"##
    static let guestPanicked = ##"{"timestamp": {"seconds": 1795601784, "microseconds": 337547}, "event": "GUEST_PANICKED", "data": {"action": "poweroff"}}"##
}
