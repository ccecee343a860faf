public import QMP
import HMP
import QMPWire

/// Says which devices exist when QEMU reports "Device 'X' not found" (issue 15): the block devices from
/// `query-block`, by device id (the short name of `qdev`) and drive name, e.g.
/// `Device 'ide1-cd0' not found — devices: cdrom0 (drive cd0), vd1`.
///
/// `qmpsh exec`, the shell and scripts all pass their failures through ``explaining(_:client:)``, so the
/// hint reads the same everywhere.
public enum DeviceListing {
    /// How long the extra `query-block` may take; a monitor that does not answer in time gets no hint.
    static let queryTimeout: Duration = .seconds(2)

    /// `error` with the list of block devices appended to its message when it is a "device not found" failure
    /// (QMP `DeviceNotFound`, or HMP's "Device '...' not found"), asked of `client`; `error` unchanged otherwise,
    /// or when the list cannot be had.
    public static func explaining(_ error: any Error, client: QMPClient?) async -> any Error {
        guard let client else { return error }
        switch error {
        case var error as QMPError where error.errorClass == .deviceNotFound:
            guard let hint = await hint(client) else { return error }
            error.message += hint
            return error
        case var error as HMPError where isDeviceNotFound(error.message):
            guard let hint = await hint(client) else { return error }
            error.message += hint
            return error
        default:
            return error
        }
    }

    /// True for HMP's (and QMP's) "Device 'X' not found" text.
    static func isDeviceNotFound(_ message: String) -> Bool {
        message.hasPrefix("Device '") && message.hasSuffix("' not found")
    }

    private static func hint(_ client: QMPClient) async -> String? {
        guard let reply = try? await client.execute("query-block", timeout: queryTimeout),
            let list = describe(queryBlock: reply)
        else { return nil }
        return " — devices: " + list
    }

    /// The devices of a `query-block` reply as one comma-separated list: `cdrom0 (drive cd0)` for a device with a
    /// drive name, the device id alone without one, `drive NAME` for a drive with no device. `nil` when there are none.
    public static func describe(queryBlock reply: JSON) -> String? {
        let names = (reply.arrayValue ?? []).compactMap { entry -> String? in
            let drive = entry["device"]?.stringValue ?? ""
            let device = shortDeviceName(entry["qdev"]?.stringValue ?? "")
            switch (device.isEmpty, drive.isEmpty) {
            case (false, false): return "\(device) (drive \(drive))"
            case (false, true): return device
            case (true, false): return "drive \(drive)"
            case (true, true): return nil
            }
        }
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }

    /// `cdrom0` for `cdrom0`, `/machine/peripheral/vd1/virtio-backend` and `/machine/peripheral/vd1`; the last
    /// path element otherwise (an anonymous device's QOM name).
    static func shortDeviceName(_ qdev: String) -> String {
        var parts = qdev.split(separator: "/").map(String.init)
        if parts.last == "virtio-backend" { parts.removeLast() }
        return parts.last ?? ""
    }
}
