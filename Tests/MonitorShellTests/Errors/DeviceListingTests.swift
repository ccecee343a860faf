import MonitorShell
import QMPWire
import Testing

/// The list "Device 'X' not found" is followed by (issue 15), from `query-block` replies as QEMU 7.2 gives them.
@Suite struct DeviceListingTests {
    @Test func namesDeviceIdsAndDriveNames() throws {
        let reply = try JSON(parsing: #"""
            [{"device": "ide1-cd0", "qdev": "cdrom0", "locked": false},
             {"device": "", "qdev": "/machine/peripheral/vd1/virtio-backend", "locked": false},
             {"device": "floppy0", "locked": false},
             {"device": "", "qdev": "/machine/peripheral-anon/device[2]", "locked": false}]
            """#)
        #expect(DeviceListing.describe(queryBlock: reply) == "cdrom0 (drive ide1-cd0), vd1, drive floppy0, device[2]")
    }

    @Test func noDevicesGiveNoList() throws {
        #expect(DeviceListing.describe(queryBlock: .array([])) == nil)
    }
}
