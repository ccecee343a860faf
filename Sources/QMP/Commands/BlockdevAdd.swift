import QMPWire

/// Adds a block node (any driver), to attach to a device with ``DeviceAdd`` (`drive: NODE`) or to insert as a
/// medium with ``BlockdevInsertMedium``.
///
/// Returns `{}`. The arguments are the node's options as one JSON object (`driver`, `node-name` and the
/// driver's own members, nested nodes as objects); the static helpers build the common ones:
/// ```swift
/// try await client.execute(BlockdevAdd.qcow2File(nodeName: "disk1", filename: "/images/disk1.qcow2"))
/// ```
/// Give every node a `node-name`: it is how ``BlockdevDel`` and devices refer to it. A qcow2's backing chain
/// is opened automatically (with QEMU-made node names such as `#block426`) unless `backing` says otherwise.
public struct BlockdevAdd: QMPCommand, Hashable {
    /// The wire name.
    public static let name = "blockdev-add"
    /// The reply's type.
    public typealias Response = QMPEmpty

    /// The node's options, sent as the arguments object.
    public var options: JSONObject

    /// A node with these options as they are.
    public init(options: JSONObject) {
        self.options = options
    }

    /// A node with this driver and name, plus the driver's options.
    public init(driver: String, nodeName: String, options: JSONObject = [:]) {
        var all: JSONObject = ["driver": .string(driver), "node-name": .string(nodeName)]
        for (key, value) in options { all[key] = value }
        self.options = all
    }

    /// The `driver` option.
    public var driver: String? { options["driver"]?.stringValue }
    /// The `node-name` option.
    public var nodeName: String? { options["node-name"]?.stringValue }

    /// Writes the wire form.
    public func encode(to encoder: any Encoder) throws {
        try JSON.object(options).encode(to: encoder)
    }
}

// MARK: - Common nodes

extension BlockdevAdd {
    /// A `file` protocol node: a host file, read as bytes.
    public static func file(nodeName: String, filename: String, readOnly: Bool = false) -> BlockdevAdd {
        let options = readOnlyOption(readOnly, ["filename": .string(filename)])
        return BlockdevAdd(driver: "file", nodeName: nodeName, options: options)
    }

    /// A qcow2 image in a host file (a `qcow2` node over an anonymous `file` node).
    public static func qcow2File(nodeName: String, filename: String, readOnly: Bool = false) -> BlockdevAdd {
        formatOverFile("qcow2", nodeName: nodeName, filename: filename, readOnly: readOnly)
    }

    /// A raw image in a host file, such as an ISO (a `raw` node over an anonymous `file` node).
    public static func rawFile(nodeName: String, filename: String, readOnly: Bool = false) -> BlockdevAdd {
        formatOverFile("raw", nodeName: nodeName, filename: filename, readOnly: readOnly)
    }

    /// A qcow2 node over a node that already exists (`file` refers to it by node name).
    public static func qcow2(nodeName: String, fileNodeName: String, readOnly: Bool = false) -> BlockdevAdd {
        let options = readOnlyOption(readOnly, ["file": .string(fileNodeName)])
        return BlockdevAdd(driver: "qcow2", nodeName: nodeName, options: options)
    }

    private static func formatOverFile(
        _ format: String, nodeName: String, filename: String, readOnly: Bool
    ) -> BlockdevAdd {
        let file: JSON = ["driver": "file", "filename": .string(filename)]
        return BlockdevAdd(driver: format, nodeName: nodeName, options: readOnlyOption(readOnly, ["file": file]))
    }

    private static func readOnlyOption(_ readOnly: Bool, _ options: JSONObject) -> JSONObject {
        var options = options
        if readOnly { options["read-only"] = true }
        return options
    }
}
